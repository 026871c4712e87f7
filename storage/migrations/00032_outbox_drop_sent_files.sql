-- +goose Up

-- A file's bytes are only needed to send it: once a message is delivered
-- (or has failed for good) the outbox keeps no copy of the file it
-- uploaded, so that a report or a /mydata export listing a person's words
-- does not outlive their erasure for the outbox's retention
-- (storage/outbox.go, keepCopy).
UPDATE outbox SET payload = payload - 'content'
WHERE status IN ('sent', 'failed') AND payload ? 'content';

-- +goose Down
SELECT 1; -- the bytes dropped are not recoverable, and nothing needs them
