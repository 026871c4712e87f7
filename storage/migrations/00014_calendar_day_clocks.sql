-- +goose Up

-- Under a rule in calendar days, the days granted so far: the rule's limit
-- plus the waits for the citizen given back. The deadline is that many
-- days after the clock started, moved off a day off; moving a moved
-- deadline again on resume (from a Monday that stood for a Saturday)
-- granted a day too many. NULL under other rules, and for clocks started
-- before this column, which resume from their deadline as before.
ALTER TABLE tickets ADD COLUMN clock_days integer;

-- +goose Down
ALTER TABLE tickets DROP COLUMN clock_days;
