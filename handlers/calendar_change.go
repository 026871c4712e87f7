package handlers

import (
	"context"

	"github.com/danvan-vn/danvan/storage"
)

// ChangeCalendarDay records an administrator's change to a day (change)
// and gives the open tickets whose period, in working days or working
// hours, it took working time from that time back (law.md §1: working
// days exclude days off), returning how many it postponed. The whole
// calendar is compared, not the day alone: recording a day of an announced
// Tết break moves that year's span. A change that adds working time
// shortens no deadline: citizens were told theirs.
func ChangeCalendarDay(ctx context.Context, tx *storage.Store, change func() error) (postponed int, err error) {
	before, err := tx.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	if err := change(); err != nil {
		return 0, err
	}
	after, err := tx.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	clocks, err := tx.WorkingClocks(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range clocks {
		due := c.DueAt
		if c.LimitUnit == "working_hours" {
			lost := before.WorkingTimeBetween(c.StartedAt, c.DueAt, officeHours) - after.WorkingTimeBetween(c.StartedAt, c.DueAt, officeHours)
			due = after.AddWorkingTime(c.DueAt, lost, officeHours)
		} else {
			due = after.Extend(c.DueAt, before.WorkdaysBetween(c.StartedAt, c.DueAt)-after.WorkdaysBetween(c.StartedAt, c.DueAt))
		}
		if !due.After(c.DueAt) {
			continue
		}
		if err := tx.PostponeDeadline(ctx, c.TicketID, due); err != nil {
			return 0, err
		}
		postponed++
	}
	return postponed, nil
}
