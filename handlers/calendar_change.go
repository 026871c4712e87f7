package handlers

import (
	"context"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// ChangeCalendarDay records an administrator's change to a day (change)
// and gives the open tickets whose period, in working days or working
// hours, it took working time from that time back (law.md §1: working
// days exclude days off), returning how many it postponed. The whole
// calendar is compared, not the day alone: recording a day of an announced
// Tết break moves that year's span. A change that adds working time
// shortens no deadline: citizens were told theirs. The senders of the
// tickets postponed are told their new expected date, but for those who
// blocked the bot.
func ChangeCalendarDay(ctx context.Context, tx *storage.Store, day workcal.Date, change func() error) (postponed int, err error) {
	texts, err := catalogOnce()
	if err != nil {
		return 0, err
	}
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
		if c.Unreachable {
			continue
		}
		o := bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: postponedText(texts, c, day, due)}
		if err := enqueue(ctx, tx, c.Channel, o, ""); err != nil {
			return 0, err
		}
	}
	return postponed, nil
}

// postponedText tells a ticket's sender, in their language, that day
// became a day off and its expected answer moved to due: under a rule in
// working hours with the hour, as the receipt says it (expectedText).
func postponedText(texts catalog, c storage.WorkingClock, day workcal.Date, due time.Time) string {
	if c.LimitUnit == "working_hours" {
		return texts.text(c.Language, "citizen.postponed_at", formatDate(day.Start()), c.Code, due.In(displayZone).Format("15:04"), formatDate(due))
	}
	return texts.text(c.Language, "citizen.postponed", formatDate(day.Start()), c.Code, formatDate(due))
}
