-- +goose Up

-- The weekly digest (storage/digest.go) reads each kind of fact by time
-- range: tickets answered in the last weeks, tickets still open past their
-- deadline, reopenings and ratings. These indexes keep those reads to the
-- rows concerned instead of the whole history.
CREATE INDEX tickets_answered ON tickets (answered_at) WHERE answered_at IS NOT NULL;
-- The digest's "overdue" is by status, not closed_at (see PeriodFigures):
-- counted per unit and deadline, and each unit's oldest listed. With
-- created_at included, the count reads only the index for the old
-- backlog, whose pages vacuum has marked all-visible.
CREATE INDEX tickets_unanswered_unit_due ON tickets (unit_id, due_at, id) INCLUDE (created_at)
    WHERE status NOT IN ('answered', 'completed', 'rejected');
CREATE INDEX ticket_events_reopened ON ticket_events (at) WHERE to_status = 'reopened';
CREATE INDEX ticket_events_rated ON ticket_events (at) WHERE kind = 'rated';

-- +goose Down
DROP INDEX ticket_events_rated, ticket_events_reopened, tickets_unanswered_unit_due, tickets_answered;
