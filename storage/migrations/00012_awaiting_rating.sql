-- +goose Up

-- The rating follow-ups (storage/clock_jobs.go) look only at tickets
-- waiting for their rating, a few days' worth, but found them through
-- every ticket ever answered (tickets_answered, 00004) or the whole of
-- tickets_unit_status, whose first column is the unit.
CREATE INDEX tickets_awaiting_rating ON tickets (answered_at) WHERE status = 'answered';

-- +goose Down
DROP INDEX tickets_awaiting_rating;
