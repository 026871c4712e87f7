-- +goose Up

-- A unit's leader may extend a ticket's deadline when its rule allows it
-- (law.md §4 row 11, §11): at most max_extensions times per clock, each
-- time by at most extension_limit in the rule's limit_unit, with a reason
-- the sender is told and the timeline keeps. A rule with max_extensions 0
-- allows none.
ALTER TABLE deadline_rules
    ADD COLUMN max_extensions integer NOT NULL DEFAULT 0 CHECK (max_extensions BETWEEN 0 AND 10),
    ADD COLUMN extension_limit integer NOT NULL DEFAULT 0 CHECK (extension_limit BETWEEN 0 AND 1000),
    ADD CONSTRAINT deadline_rules_extension_limit CHECK (max_extensions = 0 OR extension_limit > 0);

-- The extensions granted on the ticket's current clock, and their sum in
-- its rule's unit: a reclassification tells them from waits for the
-- citizen. A new clock (a transfer that restarts it, a reopening, another
-- rule) starts with none.
ALTER TABLE tickets
    ADD COLUMN clock_extensions integer NOT NULL DEFAULT 0,
    ADD COLUMN clock_extended integer NOT NULL DEFAULT 0;

-- Defaults: the shipped rules for feedback, recommendations and comments
-- (every area, every field; the remote areas' too) may be extended once,
-- by at most their own limit (common local practice; Decree 20/2008 sets
-- no number). Rules an administrator added keep none until they say so.
-- Questions, the guidance given on complaints and denunciations, and the
-- answer after a reception (Citizen Reception Law Art. 28) keep their
-- limits: the statutory extensions of complaints and denunciations belong
-- to the resolution counted from thụ lý, which the competent body keeps.
UPDATE deadline_rules SET max_extensions = 1, extension_limit = answer_limit
WHERE kind IN ('phan_anh', 'kien_nghi', 'gop_y') AND category_id IS NULL AND area_id IS NULL;

-- +goose Down
ALTER TABLE tickets DROP COLUMN clock_extensions, DROP COLUMN clock_extended;
ALTER TABLE deadline_rules DROP CONSTRAINT deadline_rules_extension_limit,
    DROP COLUMN max_extensions, DROP COLUMN extension_limit;
