-- +goose Up

-- A queued message can be replaced while a sender is delivering it: a
-- ticket sealed as a denunciation seals its card where it waits. The
-- sender then delivered the old version, and must put it right. It
-- compares the revision it claimed with the row's when it records the
-- delivery (MarkOutboxSent).
ALTER TABLE outbox ADD COLUMN revision integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE outbox DROP COLUMN revision;
