-- +goose Up

-- Workers claim the oldest waiting updates and messages in id order. These
-- partial indexes hold only the waiting rows, so a claim reads a handful of
-- entries however much handled history the tables keep until they are
-- purged.
CREATE INDEX inbox_due ON inbox (id) WHERE processed_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_due ON outbox (channel, id) WHERE status = 'pending';

-- +goose Down
DROP INDEX outbox_due, inbox_due;
