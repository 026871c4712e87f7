package handlers

import (
	"context"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// ChangeCalendarDay records an administrator's change to a day (change)
// and, if it turned a working day into a day off, gives one more working
// day, or a day's office hours, to the open tickets whose period counted
// it (law.md §1: working days exclude days off), returning how many. A
// day becoming a working day shortens no deadline: citizens were told it.
func ChangeCalendarDay(ctx context.Context, tx *storage.Store, day workcal.Date, change func() error) (postponed int, err error) {
	before, err := tx.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	if err := change(); err != nil {
		return 0, err
	}
	after, err := tx.Calendar(ctx)
	if err != nil || !before.IsWorkday(day) || after.IsWorkday(day) {
		return 0, err
	}
	clocks, err := tx.ClocksSpanning(ctx, day.Start())
	if err != nil {
		return 0, err
	}
	for _, c := range clocks {
		due := after.Extend(c.DueAt, 1)
		if c.LimitUnit == "working_hours" {
			due = after.AddWorkingTime(c.DueAt, officeHours.Daily(), officeHours)
		}
		if err := tx.PostponeDeadline(ctx, c.TicketID, due); err != nil {
			return 0, err
		}
	}
	return len(clocks), nil
}
