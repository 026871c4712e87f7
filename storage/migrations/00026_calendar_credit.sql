-- +goose Up

-- Working time a change to the calendar gave an open ticket's clock
-- within its period (working days, or seconds under a rule in working
-- hours). Its deadline stays as the citizen was told, and a later change
-- that takes working time away takes it from this first, so a day off
-- recorded by mistake and removed again leaves the deadline where it was
-- (handlers.ChangeCalendarDay). A new clock starts with none. Its unit is
-- the rule's limit_unit when it was gained: a rule edited since to another
-- unit voids it, rather than have seconds read as days.
ALTER TABLE tickets ADD COLUMN calendar_credit bigint NOT NULL DEFAULT 0,
    ADD COLUMN calendar_credit_unit text;

-- +goose Down
ALTER TABLE tickets DROP COLUMN calendar_credit, DROP COLUMN calendar_credit_unit;
