-- +goose Up

-- What a person agreed to, one row per purpose and occasion (law.md §6:
-- consent is per purpose, explicit, verifiable and can be withdrawn).
-- wording names the text they were shown: language, catalogue key and a
-- hash of the text, so the exact words can be found in the history.
CREATE TABLE consents (
    id           bigserial PRIMARY KEY,
    citizen_id   bigint NOT NULL REFERENCES citizens (id),
    purpose      text NOT NULL CHECK (purpose IN ('handling', 'phone')),
    wording      text NOT NULL,
    ticket_id    bigint REFERENCES tickets (id),
    given_at     timestamptz NOT NULL,
    withdrawn_at timestamptz
);
CREATE INDEX consents_citizen ON consents (citizen_id, id);

-- When a person had their name and phone erased with /mydata.
ALTER TABLE citizens ADD COLUMN erased_at timestamptz;

-- +goose Down
ALTER TABLE citizens DROP COLUMN erased_at;
DROP TABLE consents;
