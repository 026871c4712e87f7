-- +goose Up

-- A deadline rule may hold for a period only (law.md §11: rules are
-- versioned by the law in force on the filing date, e.g. before and after
-- the two-tier local government of 1 July 2026): valid_from is its first
-- day, valid_to the first day it no longer holds, either open. A ticket
-- is counted under the rules that held on the day it was filed, in
-- Asia/Ho_Chi_Minh, also when its clock restarts later. A rule replaced
-- on a day is ended there and its successor starts there, so the pair
-- (kind, category, area, remote) is unique per first day.
ALTER TABLE deadline_rules
    ADD COLUMN valid_from date,
    ADD COLUMN valid_to date,
    ADD CONSTRAINT deadline_rules_period CHECK (valid_from < valid_to),
    DROP CONSTRAINT deadline_rules_kind_category_id_area_id_remote_only_key,
    ADD CONSTRAINT deadline_rules_version UNIQUE NULLS NOT DISTINCT (kind, category_id, area_id, remote_only, valid_from);

-- +goose Down
ALTER TABLE deadline_rules
    DROP CONSTRAINT deadline_rules_version,
    DROP CONSTRAINT deadline_rules_period,
    DROP COLUMN valid_from,
    DROP COLUMN valid_to,
    ADD CONSTRAINT deadline_rules_kind_category_id_area_id_remote_only_key UNIQUE NULLS NOT DISTINCT (kind, category_id, area_id, remote_only);
