-- +goose Up

-- Whether an answer came by the deadline is decided when it is given and
-- kept: reopening a ticket gives it a new, later deadline, against which
-- its earlier answer would always look on time. NULL for tickets written
-- without ApplyChange; the reports then judge by the current deadline
-- (storage/report.go, answeredOnTime).
ALTER TABLE tickets ADD COLUMN answered_on_time boolean;
UPDATE tickets SET answered_on_time = (due_at IS NULL OR answered_at <= due_at OR coalesce(paused_at <= due_at, false))
WHERE answered_at IS NOT NULL;

-- +goose Down
ALTER TABLE tickets DROP COLUMN answered_on_time;
