-- +goose Up

-- Every look at a confidential sender's identity (law.md §5: a
-- denouncer's identity is read only by a designated intake, and every
-- read is logged). Like the timeline, the log is append-only.
CREATE TABLE identity_reads (
    id         bigserial PRIMARY KEY,
    ticket_id  bigint NOT NULL REFERENCES tickets (id),
    officer_id bigint NOT NULL REFERENCES officers (id),
    reason     text NOT NULL,
    at         timestamptz NOT NULL
);
CREATE INDEX identity_reads_ticket ON identity_reads (ticket_id, id);

CREATE TRIGGER identity_reads_append_only
    BEFORE UPDATE OR DELETE ON identity_reads
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER identity_reads_no_truncate
    BEFORE TRUNCATE ON identity_reads
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose Down
DROP TABLE identity_reads;
