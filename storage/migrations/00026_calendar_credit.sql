-- +goose Up

-- Working time a change to the calendar gave an open ticket's clock
-- within its period (working days, or seconds under a rule in working
-- hours). Its deadline stays as the citizen was told, and a later change
-- that takes working time away takes it from this first, so a day off
-- recorded by mistake and removed again leaves the deadline where it was
-- (handlers.ChangeCalendarDay). A new clock starts with none.
ALTER TABLE tickets ADD COLUMN calendar_credit bigint NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE tickets DROP COLUMN calendar_credit;
