-- +goose Up

-- A copy of a ticket's card whose chat can no longer act on the ticket
-- (its unit gave it away) is edited without buttons, and so is no longer
-- found by outbox_card. CardCopies finds such edits by the message they
-- edit, to compare the next version of the copy with what its chat shows
-- rather than with its last version with buttons: otherwise every later
-- step of the ticket edited it again with nothing to change, a call
-- Telegram refuses and counts against the chat's limits (a group's 20 a
-- minute).
CREATE INDEX outbox_edits ON outbox (channel, chat_id, (payload->>'message_id'))
    WHERE kind = 'edit';

-- +goose Down
DROP INDEX outbox_edits;
