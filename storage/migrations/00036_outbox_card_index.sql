-- +goose Up

-- The copies of a ticket's card, in every chat it went to, are edited
-- after each step that changes what they show or allow (CardCopies,
-- handlers/card.go). A card is known by its buttons ("o:<action>:<ticket
-- id>"); this finds them by the ticket without reading the whole outbox.
-- Only texts and edits are cards: files are left out, whose payload may
-- hold megabytes of content.
CREATE INDEX outbox_card ON outbox (channel, (substring(payload::text from '"data": "o:[a-z]+:([0-9]+)"')))
    WHERE kind IN ('text', 'edit');

-- +goose Down
DROP INDEX outbox_card;
