-- +goose Up

-- A chat with too many updates waiting has the next ones shed: recorded
-- handled at once (processed_at, last_error 'shed'), so that they change
-- nothing and no claim has to read past them (RecordUpdates). A shed
-- update keeps its payload only until its chat's notice is queued
-- (TakeShed), which it says whom to tell.

-- inbox_sheds says whether an update is shed: its chat has backlog
-- waiting already, counting the updates ahead of it in its own write
-- (place is its rank there, from 1), and neither the chat is a unit's
-- linked group nor the sender a member of staff (their queue is work, not
-- a flood). A function in PL/pgSQL, never inlined, so that the statement
-- recording every update stays cheap to plan; the roles are read only for
-- an update over the limit.
-- +goose StatementBegin
CREATE FUNCTION inbox_sheds(channel_ text, chat_key_ text, chat_id_ text, user_id_ text, place bigint, backlog integer)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF backlog <= 0 OR place + (SELECT count(*) FROM (
            SELECT FROM inbox
            WHERE chat_key = chat_key_ AND processed_at IS NULL AND failed_at IS NULL
            LIMIT backlog) waiting) <= backlog THEN
        RETURN false;
    END IF;
    RETURN NOT EXISTS (SELECT FROM unit_groups g WHERE g.channel = channel_ AND g.chat_id = chat_id_ AND g.active)
       AND NOT EXISTS (SELECT FROM citizens c JOIN officers o ON o.citizen_id = c.id AND o.active
                       WHERE c.channel = channel_ AND c.user_id = user_id_);
END
$$;
-- +goose StatementEnd

-- The shed updates whose chat's notice is not queued yet.
CREATE INDEX inbox_shed_unnoticed ON inbox (id) WHERE last_error = 'shed' AND payload IS NOT NULL;

-- +goose Down
DROP INDEX inbox_shed_unnoticed;
DROP FUNCTION inbox_sheds;
