-- +goose Up

-- Ticket code numbers come from one sequence per year (ticket_code_2026),
-- created when the year's first ticket is filed. A counter row made every
-- submission wait until the one before it committed; a sequence never
-- waits, at the price of a skipped number when a submission is rolled
-- back and retried.
-- +goose StatementBegin
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT year, last FROM ticket_counters LOOP
        EXECUTE format('CREATE SEQUENCE ticket_code_%s', c.year);
        PERFORM setval(format('ticket_code_%s', c.year), c.last);
    END LOOP;
END $$;
-- +goose StatementEnd
DROP TABLE ticket_counters;

-- +goose Down
CREATE TABLE ticket_counters (
    year integer PRIMARY KEY,
    last integer NOT NULL
);
INSERT INTO ticket_counters (year, last)
    SELECT substring(sequencename FROM 13)::integer, last_value
    FROM pg_sequences
    WHERE schemaname = current_schema() AND sequencename ~ '^ticket_code_[0-9]+$' AND last_value IS NOT NULL;
-- +goose StatementBegin
DO $$
DECLARE
    s record;
BEGIN
    FOR s IN SELECT sequencename FROM pg_sequences
             WHERE schemaname = current_schema() AND sequencename ~ '^ticket_code_[0-9]+$' LOOP
        EXECUTE format('DROP SEQUENCE %I', s.sequencename);
    END LOOP;
END $$;
-- +goose StatementEnd
