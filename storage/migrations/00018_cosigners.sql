-- +goose Up

-- Co-signers (law.md §3: when many people raise the same matter, they act
-- through a representative). A petition's sender may share an invitation
-- whose token only they hand out (codes are sequential, so a code alone
-- would let anyone join, or probe, any petition); people with the same
-- problem join it and are told its outcome.
ALTER TABLE tickets ADD COLUMN share_token text UNIQUE;
-- How many joined, kept on the ticket so that a card needs no count.
ALTER TABLE tickets ADD COLUMN cosigners integer NOT NULL DEFAULT 0;

CREATE TABLE ticket_cosigners (
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    citizen_id bigint NOT NULL REFERENCES citizens (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, citizen_id)
);
CREATE INDEX ticket_cosigners_citizen ON ticket_cosigners (citizen_id);

-- +goose Down
DROP TABLE ticket_cosigners;
ALTER TABLE tickets DROP COLUMN share_token, DROP COLUMN cosigners;
