package handlers

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// ClockPolicy tunes the scheduled follow-ups of deadlines and ratings.
type ClockPolicy struct {
	// SecondEscalationWorkdays after the first escalation, a still overdue
	// ticket goes one level further up.
	SecondEscalationWorkdays int
	// RatingReminderAfter an answer, an unrated ticket's citizen is
	// reminded once (once per answer: a reopened ticket answered again is
	// reminded afresh); CloseAfterReminder after that reminder it is
	// closed.
	RatingReminderAfter time.Duration
	CloseAfterReminder  time.Duration
}

// DefaultClockPolicy is used where the configuration says nothing.
var DefaultClockPolicy = ClockPolicy{
	SecondEscalationWorkdays: 3,
	RatingReminderAfter:      3 * 24 * time.Hour,
	CloseAfterReminder:       4 * 24 * time.Hour,
}

// systemTurn is a turn for scheduled work: no incoming event, replies
// addressed explicitly.
func (s *Service) systemTurn(ctx context.Context, tx *storage.Store, channel string) *turn {
	return &turn{ctx: ctx, tx: tx, ev: bot.Event{Channel: channel}, s: s, lang: languages[0]}
}

// RemindUnits sends each unit's staff the tickets due within two working
// days and those overdue, once per day (on working days only).
func (s *Service) RemindUnits(ctx context.Context, tx *storage.Store, channel string) error {
	t := s.systemTurn(ctx, tx, channel)
	cal, err := t.calendar()
	if err != nil {
		return err
	}
	now := s.now()
	today := dateKey(now)
	if !cal.IsWorkday(workcal.DateOf(now)) {
		return nil
	}
	due, err := tx.TicketsDueBefore(ctx, cal.AddWorkdays(now, dueSoonWorkdays))
	if err != nil {
		return err
	}
	byUnit := map[int64][]storage.Ticket{}
	var units []int64
	for _, tk := range due {
		if _, seen := byUnit[tk.UnitID.Int64]; !seen {
			units = append(units, tk.UnitID.Int64)
		}
		byUnit[tk.UnitID.Int64] = append(byUnit[tk.UnitID.Int64], tk)
	}
	for _, unit := range units {
		recipients, err := s.staffRecipients(t, unit)
		if err != nil {
			return err
		}
		for _, r := range recipients {
			msg := s.reminder(r.lang, byUnit[unit], now)
			msg.ChatID, msg.Group = r.chatID, r.group
			if err := enqueue(ctx, tx, channel, msg, fmt.Sprintf("remind:%s:%d:%s", today, unit, r.chatID)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) reminder(lang string, tickets []storage.Ticket, now time.Time) bot.Outgoing {
	var b strings.Builder
	overdue := 0
	for _, tk := range tickets {
		if now.After(tk.DueAt.Time) {
			overdue++
		}
	}
	b.WriteString(s.texts.text(lang, "remind.title", len(tickets)-overdue, overdue))
	var rows [][]bot.InlineButton
	for _, tk := range tickets {
		mark := "mark.due_soon"
		if now.After(tk.DueAt.Time) {
			mark = "mark.overdue"
		}
		fmt.Fprintf(&b, "\n• <b>%s</b> · %s %s · %s", tk.Code, s.texts.text(lang, "field.deadline"),
			formatDate(tk.DueAt.Time), s.texts.text(lang, mark))
		if len(rows) < 10 {
			rows = append(rows, []bot.InlineButton{{Text: tk.Code, Data: data(prefixCard, fmt.Sprint(tk.ID))}})
		}
	}
	return bot.Outgoing{Kind: bot.KindText, Text: b.String(), Buttons: rows}
}

// workdaysBack is the latest instant n working days of office time before
// now: a first escalation sent then or earlier is due its second step.
// Time outside office hours counts as the close of the working day before
// it, so a first step sent on Tuesday evening, or at 00:05 on Wednesday as
// the job does once a deadline ends at midnight, is three working days
// old from Friday's close: not on Friday morning, nor only on Monday.
func workdaysBack(cal *workcal.Calendar, now time.Time, n int) time.Time {
	hours := cal.OfficeHours()
	opens, closes := hours.Sessions[0].Start, hours.Sessions[len(hours.Sessions)-1].End
	today := workcal.DateOf(now)
	tod := now.Sub(today.Start())
	if cal.IsWorkday(today) && tod >= opens && tod < closes {
		return workdaysBefore(cal, today, n).Start().Add(tod)
	}
	last := today // whose close now is as of
	if !cal.IsWorkday(today) || tod < opens {
		last = workdaysBefore(cal, today, 1)
	}
	// Everything from that close to the next opening is as old as it.
	return cal.NextWorkday(workdaysBefore(cal, last, n)).Start().Add(opens)
}

// workdaysBefore is the nth working day before d.
func workdaysBefore(cal *workcal.Calendar, d workcal.Date, n int) workcal.Date {
	return workcal.DateOf(cal.AddWorkdays(d.Start(), -n))
}

// Escalate tells the leaders of a ticket's unit and of its parent unit,
// once, that the ticket passed its deadline; a ticket still overdue some
// working days later goes one level further up, once.
func (s *Service) Escalate(ctx context.Context, tx *storage.Store, channel string, policy ClockPolicy) error {
	t := s.systemTurn(ctx, tx, channel)
	now := s.now()
	// The calendar first: a change to it takes its lock and then the open
	// tickets', and taking them the other way round would deadlock with it.
	cal, err := t.calendar()
	if err != nil {
		return err
	}
	first, err := tx.ClaimOverdue(ctx, now)
	if err != nil {
		return err
	}
	for _, tk := range first {
		if err := s.escalate(t, tk, 0, 1, "escalate.first"); err != nil {
			return err
		}
	}
	second, err := tx.ClaimStillOverdue(ctx, now, workdaysBack(cal, now, policy.SecondEscalationWorkdays))
	if err != nil {
		return err
	}
	for _, tk := range second {
		if err := s.escalate(t, tk, 1, 2, "escalate.second"); err != nil {
			return err
		}
	}
	return nil
}

// escalate sends the card to the leaders of the units from `from` to `to`
// levels above the ticket's unit (0 is the unit itself).
func (s *Service) escalate(t *turn, tk storage.Ticket, from, to int, key string) error {
	unit, err := t.tx.UnitByID(t.ctx, tk.UnitID.Int64)
	if err != nil {
		return err
	}
	notified := map[string]bool{}
	for level := 0; level <= to; level++ {
		if level >= from {
			leaders, err := t.tx.UnitStaff(t.ctx, unit.ID, storage.RoleLeader)
			if err != nil {
				return err
			}
			for _, l := range leaders {
				if notified[l.ChatID] {
					continue
				}
				notified[l.ChatID] = true
				c, err := t.tx.CitizenByID(t.ctx, l.CitizenID)
				if err != nil {
					return err
				}
				card, err := s.card(t, tk, c.Language)
				if err != nil {
					return err
				}
				card.ChatID = l.ChatID
				card.Text = s.texts.text(c.Language, key, formatTime(tk.DueAt.Time)) + "\n" + card.Text
				if err := t.send(card); err != nil {
					return err
				}
			}
		}
		if !unit.ParentID.Valid {
			break
		}
		if unit, err = t.tx.UnitByID(t.ctx, unit.ParentID.Int64); err != nil {
			return err
		}
	}
	t.logInfo("ticket escalated", "ticket", tk.Code, "leaders", len(notified), "step", key)
	return nil
}

// CloseUnrated reminds citizens who have not rated an answer, once, and
// later closes the ticket.
func (s *Service) CloseUnrated(ctx context.Context, tx *storage.Store, channel string, policy ClockPolicy) error {
	t := s.systemTurn(ctx, tx, channel)
	now := s.now()
	remind, err := tx.ClaimRatingReminders(ctx, now, now.Add(-policy.RatingReminderAfter))
	if err != nil {
		return err
	}
	for _, tk := range remind {
		c, err := tx.CitizenByID(ctx, tk.CitizenID)
		if err != nil {
			return err
		}
		rate, err := s.ratingButtons(t, c.Language, tk.ID)
		if err != nil {
			return err
		}
		if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Buttons: rate,
			Text: s.texts.text(c.Language, "rating.reminder", tk.Code)}); err != nil {
			return err
		}
	}
	closing, err := tx.UnratedAfterReminder(ctx, now.Add(-policy.CloseAfterReminder))
	if err != nil {
		return err
	}
	for _, tk := range closing {
		tk, err := tx.ApplyChange(ctx, storage.Change{TicketID: tk.ID, At: now, ActorKind: storage.ActorSystem,
			Kind: storage.EventClosed, ToStatus: storage.StatusCompleted})
		if err != nil {
			return err
		}
		// Its copies say it is completed, as a rating's do. As many
		// close in an hour as were answered in one a week before, each
		// of which edited the copies too.
		if err := s.refreshCopies(t, tk); err != nil {
			return err
		}
	}
	return nil
}
