-- +goose Up

-- A handled update keeps only what recognises a redelivery (channel and
-- update id, until housekeeping deletes it); its raw payload, which holds
-- the person's words, name, phone number or location, goes when it is
-- handled. What the petition needs is in the tickets by then; an update
-- that failed keeps its payload for an operator. Marking an update handled
-- also writes a small row instead of a copy of the payload: about a
-- kilobyte less WAL per update.
ALTER TABLE inbox ALTER COLUMN payload DROP NOT NULL;
UPDATE inbox SET payload = NULL WHERE processed_at IS NOT NULL;
ALTER TABLE inbox ADD CONSTRAINT inbox_payload_until_handled
    CHECK (payload IS NOT NULL OR processed_at IS NOT NULL);

-- +goose Down
ALTER TABLE inbox DROP CONSTRAINT inbox_payload_until_handled;
UPDATE inbox SET payload = 'null' WHERE payload IS NULL;
ALTER TABLE inbox ALTER COLUMN payload SET NOT NULL;
