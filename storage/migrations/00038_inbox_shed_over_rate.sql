-- +goose Up

-- An update is also shed when its chat sends faster than the intake
-- allows (over_rate, judged by the replica that takes it in: CHAT_RATE),
-- unless, as before, the chat is a unit's linked group or the sender a
-- member of staff. The function of 00037 (six arguments) stays, for the
-- replicas still running the previous version during a rolling upgrade
-- (README: migrate first, then replace them); a later migration may drop
-- it.

-- +goose StatementBegin
CREATE FUNCTION inbox_sheds(channel_ text, chat_key_ text, chat_id_ text, user_id_ text, place bigint, backlog integer, over_rate boolean)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF NOT over_rate AND (backlog <= 0 OR place + (SELECT count(*) FROM (
            SELECT FROM inbox
            WHERE chat_key = chat_key_ AND processed_at IS NULL AND failed_at IS NULL
            LIMIT backlog) waiting) <= backlog) THEN
        RETURN false;
    END IF;
    RETURN NOT EXISTS (SELECT FROM unit_groups g WHERE g.channel = channel_ AND g.chat_id = chat_id_ AND g.active)
       AND NOT EXISTS (SELECT FROM citizens c JOIN officers o ON o.citizen_id = c.id AND o.active
                       WHERE c.channel = channel_ AND c.user_id = user_id_);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION inbox_sheds(text, text, text, text, bigint, integer, boolean);
