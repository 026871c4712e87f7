-- +goose Up

-- Two indexes the claims' cached plans misused. A plan is often made while
-- the tables are empty and not yet analyzed (a fresh database, a burst
-- that outruns autovacuum), when every index looks equally cheap.

-- The head-of-chat lookup in the inbox claim must probe inbox_pending
-- (chat_key, id); it scanned inbox_due in id order instead, filtering on
-- chat_key, so each lookup read every update waiting before the chat's
-- (5.7 million index entries in a 30 s run of 16,000 updates). Naming
-- not_before (always set) in inbox_due's predicate leaves it to the outer
-- scan alone, the only part that filters on not_before.
DROP INDEX inbox_due;
CREATE INDEX inbox_due ON inbox (id)
    WHERE processed_at IS NULL AND failed_at IS NULL AND not_before IS NOT NULL;

-- outbox_due (every pending message, by channel and id) has had no reader
-- since answers and chat queues got their own indexes (00007), but the
-- outbox claim ANDed a bitmap of all of it with the primary-key lookup of
-- the claimed ids. Bitmap scans never mark dead entries, so the index
-- grew with every message sent until vacuum, and every claim read it all.
-- The two partial indexes of 00007 cover the same rows between them.
DROP INDEX outbox_due;

-- +goose Down
CREATE INDEX outbox_due ON outbox (channel, id) WHERE status = 'pending';
DROP INDEX inbox_due;
CREATE INDEX inbox_due ON inbox (id) WHERE processed_at IS NULL AND failed_at IS NULL;
