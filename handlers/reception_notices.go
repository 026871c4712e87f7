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

// RemindReceptions reminds the citizens booked for tomorrow's receptions,
// each once, and sends each of those units' staff the list of whom they
// will receive. A booking made today needs no reminder: its confirmation
// is fresh.
func (s *Service) RemindReceptions(ctx context.Context, tx *storage.Store, channel string) error {
	t := s.systemTurn(ctx, tx, channel)
	today := workcal.DateOf(s.now())
	bs, err := tx.BookingsToRemind(ctx, today.AddDays(1), today.Start())
	if err != nil {
		return err
	}
	byUnit := map[int64][]storage.Booking{}
	var units []int64
	for _, bk := range bs {
		if err := tellBooking(ctx, tx, channel, s.texts, bk, "reception.reminder", "reception-reminder"); err != nil {
			return err
		}
		if err := tx.MarkReminded(ctx, bk.ID, s.now()); err != nil {
			return err
		}
		if _, seen := byUnit[bk.UnitID]; !seen {
			units = append(units, bk.UnitID)
		}
		byUnit[bk.UnitID] = append(byUnit[bk.UnitID], bk)
	}
	for _, unit := range units {
		recipients, err := s.staffRecipients(t, unit)
		if err != nil {
			return err
		}
		for _, r := range recipients {
			msg := bot.Outgoing{Kind: bot.KindText, ChatID: r.chatID, Group: r.group, Text: s.unitReceptionList(r.lang, byUnit[unit])}
			key := fmt.Sprintf("reception-list:%d:%s:%s", unit, today.AddDays(1), r.chatID)
			if err := enqueue(ctx, tx, channel, msg, key); err != nil {
				return err
			}
		}
	}
	return nil
}

// unitReceptionList tells a unit's staff whom they receive tomorrow.
func (s *Service) unitReceptionList(lang string, bs []storage.Booking) string {
	var b strings.Builder
	b.WriteString(s.texts.text(lang, "reception.staff_tomorrow", s.texts.dayText(lang, bs[0].Date()), len(bs)))
	for _, bk := range bs {
		fmt.Fprintf(&b, "\n• #%d · %s · %s", bk.ID, bk.Starts, bot.Escape(excerpt(bk.Subject, 80)))
	}
	return b.String()
}

// CallOffReceptionDay calls a unit's reception day off, in tx: the day
// takes no more bookings, and the citizens booked for it are told why, in
// their language. It returns how many were.
func CallOffReceptionDay(ctx context.Context, tx *storage.Store, channel string, unitID int64, day workcal.Date,
	reason string, now time.Time) (int, error) {
	texts, err := catalogOnce()
	if err != nil {
		return 0, err
	}
	bs, err := tx.CloseReceptionDay(ctx, unitID, day, reason, now)
	if err != nil {
		return 0, err
	}
	for _, bk := range bs {
		if err := tellBooking(ctx, tx, channel, texts, bk, "reception.citizen_called_off", "reception-off"); err != nil {
			return 0, err
		}
	}
	return len(bs), nil
}

// tellBooking sends a booking's citizen a text about it, in their
// language, once (the dedupe key is the booking's). The text's arguments
// are the unit, the day, the hours, the place, the reason (of a refusal or
// calling off) and then extra; texts pick theirs by index (%[2]s).
func tellBooking(ctx context.Context, tx *storage.Store, channel string, texts catalog, bk storage.Booking, key, dedupe string,
	extra ...any) error {
	lang := bk.Language
	args := append([]any{bot.Escape(localName(lang, bk.UnitName, bk.UnitNameEN)), texts.dayText(lang, bk.Date()),
		bk.Starts, bk.Ends, bot.Escape(bk.Place), bot.Escape(bk.Reason)}, extra...)
	text := texts.text(lang, key, args...)
	o := bot.Outgoing{Kind: bot.KindText, ChatID: bk.ChatID, Text: text}
	return enqueue(ctx, tx, channel, o, fmt.Sprintf("%s:%d", dedupe, bk.ID))
}
