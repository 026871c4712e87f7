-- +goose Up

-- Which leader was sent which unit's digest of which week. The outbox's
-- dedupe key remembered it only as long as the outbox keeps sent
-- messages (30 days): queueing an older week again sent it twice.
CREATE TABLE digests_sent (
    unit_id    bigint NOT NULL REFERENCES units (id),
    week_start date NOT NULL,
    citizen_id bigint NOT NULL REFERENCES citizens (id),
    queued_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (unit_id, week_start, citizen_id)
);

-- +goose Down
DROP TABLE digests_sent;
