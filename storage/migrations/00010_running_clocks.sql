-- +goose Up

-- Whether a ticket's clock runs is now read from paused_at, not from the
-- status (storage/clock_jobs.go, dueBefore): under a rule without
-- pause_on_info the clock of a ticket awaiting information runs on, and
-- a paused ticket is not overdue while its deadline waits to move.

-- tickets_due (00003) was meant for the reminders and escalations, but no
-- query implies its predicate (closed_at IS NULL: answered tickets have
-- none either), so they scanned the whole table. Now that they spell out
-- the open statuses, they read the open tickets' deadlines from
-- tickets_unanswered_unit_due, as the digest's overdue count does. That
-- count read only the index for the old backlog (00004); it now needs
-- paused_at as well.
DROP INDEX tickets_due;
DROP INDEX tickets_unanswered_unit_due;
CREATE INDEX tickets_unanswered_unit_due ON tickets (unit_id, due_at, id) INCLUDE (created_at, paused_at)
    WHERE status NOT IN ('answered', 'completed', 'rejected');

-- A ticket transferred while paused, under a rule that keeps its clock,
-- kept paused_at, and its clock ran by its status. It runs on.
UPDATE tickets SET paused_at = NULL
WHERE paused_at IS NOT NULL AND status NOT IN ('awaiting_info', 'answered', 'completed', 'rejected');

-- +goose Down
DROP INDEX tickets_unanswered_unit_due;
CREATE INDEX tickets_unanswered_unit_due ON tickets (unit_id, due_at, id) INCLUDE (created_at)
    WHERE status NOT IN ('answered', 'completed', 'rejected');
CREATE INDEX tickets_due ON tickets (due_at) WHERE closed_at IS NULL;
