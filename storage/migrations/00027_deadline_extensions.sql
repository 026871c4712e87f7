-- +goose Up

-- A unit's leader may extend a ticket's deadline when its rule allows it
-- (law.md §4 row 11, §11): at most max_extensions times per clock, each
-- time by at most extension_limit in the rule's limit_unit, with a reason
-- the sender is told and the timeline keeps. A rule with max_extensions 0
-- allows none.
ALTER TABLE deadline_rules
    ADD COLUMN max_extensions integer NOT NULL DEFAULT 0 CHECK (max_extensions >= 0),
    ADD COLUMN extension_limit integer NOT NULL DEFAULT 0 CHECK (extension_limit >= 0);

-- The extensions granted on the ticket's current clock; a new clock (a
-- transfer that restarts it, a reopening) starts with none.
ALTER TABLE tickets ADD COLUMN clock_extensions integer NOT NULL DEFAULT 0;

-- Defaults: feedback, recommendations and comments may be extended once,
-- by at most their own limit (common local practice; Decree 20/2008 sets
-- no number). Questions, the guidance given on complaints and
-- denunciations, and the answer after a reception (Citizen Reception Law
-- Art. 28) keep their limits: the statutory extensions of complaints and
-- denunciations belong to the resolution counted from thụ lý, which the
-- competent body keeps.
UPDATE deadline_rules SET max_extensions = 1, extension_limit = answer_limit
WHERE kind IN ('phan_anh', 'kien_nghi', 'gop_y');

-- +goose Down
ALTER TABLE tickets DROP COLUMN clock_extensions;
ALTER TABLE deadline_rules DROP COLUMN max_extensions, DROP COLUMN extension_limit;
