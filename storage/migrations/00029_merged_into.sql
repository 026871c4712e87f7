-- +goose Up

-- The ticket a duplicate was merged into (handlers/merge.go). A ticket
-- merged in turn takes its own duplicates along, so each points at the
-- ticket that holds the matter: information a duplicate's sender adds
-- reaches that ticket's unit, and when that ticket turns out to be a
-- denunciation its duplicates are sealed with it (law.md §5).
ALTER TABLE tickets ADD COLUMN merged_into bigint REFERENCES tickets (id);
CREATE INDEX tickets_merged_into ON tickets (merged_into) WHERE merged_into IS NOT NULL;

-- +goose Down
DROP INDEX tickets_merged_into;
ALTER TABLE tickets DROP COLUMN merged_into;
