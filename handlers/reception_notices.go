package handlers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// RemindReceptions reminds the citizens booked for tomorrow's receptions,
// each once, and sends each unit receiving tomorrow the list of whom,
// again when someone has booked since. A booking made today needs no
// reminder: its confirmation is fresh.
func (s *Service) RemindReceptions(ctx context.Context, tx *storage.Store, channel string) error {
	t := s.systemTurn(ctx, tx, channel)
	today := workcal.DateOf(s.now())
	tomorrow := today.AddDays(1)
	bs, err := tx.BookingsToRemind(ctx, tomorrow, today.Start())
	if err != nil {
		return err
	}
	for _, bk := range bs {
		if err := tellBooking(ctx, tx, s.texts, bk, "reception.reminder", "reception-reminder"); err != nil {
			return err
		}
		if err := tx.MarkReminded(ctx, bk.ID, s.now()); err != nil {
			return err
		}
	}
	all, err := tx.BookingsOn(ctx, tomorrow)
	if err != nil {
		return err
	}
	for len(all) > 0 {
		n := 1
		for n < len(all) && all[n].UnitID == all[0].UnitID {
			n++
		}
		unit, list := all[0].UnitID, all[:n]
		all = all[n:]
		recipients, err := s.staffRecipients(t, unit)
		if err != nil {
			return err
		}
		// The latest booking on the list names it: a later run sends the
		// list again only if someone booked since.
		latest := slices.MaxFunc(list, func(a, b storage.Booking) int { return cmp.Compare(a.ID, b.ID) }).ID
		for _, r := range recipients {
			msg := bot.Outgoing{Kind: bot.KindText, ChatID: r.chatID, Group: r.group, Text: s.unitReceptionList(r.lang, list)}
			key := fmt.Sprintf("reception-list:%d:%s:%s:%d", unit, tomorrow, r.chatID, latest)
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
// their language. It returns how many were, and whether the unit holds
// receptions on that weekday.
func CallOffReceptionDay(ctx context.Context, tx *storage.Store, unitID int64, day workcal.Date,
	reason string, now time.Time) (int, bool, error) {
	texts, err := catalogOnce()
	if err != nil {
		return 0, false, err
	}
	// Locked as a booking locks it: one being made for the day finishes
	// first and is called off too, or sees the closure.
	if _, err := tx.LockReceptionUnit(ctx, unitID); err != nil {
		return 0, false, err
	}
	holds, err := holdsReception(ctx, tx, unitID, day)
	if err != nil {
		return 0, false, err
	}
	bs, err := tx.CloseReceptionDay(ctx, unitID, day, reason, now)
	if err != nil {
		return 0, holds, err
	}
	return len(bs), holds, tellCalledOff(ctx, tx, texts, bs)
}

// tellCalledOff tells the citizens of bookings called off why.
func tellCalledOff(ctx context.Context, tx *storage.Store, texts catalog, bs []storage.Booking) error {
	for _, bk := range bs {
		if err := tellBooking(ctx, tx, texts, bk, "reception.citizen_called_off", "reception-off"); err != nil {
			return err
		}
	}
	return nil
}

// holdsReception reports whether a unit has a reception on the day, by
// its weekly hours or on that date.
func holdsReception(ctx context.Context, tx *storage.Store, unitID int64, day workcal.Date) (bool, error) {
	dated, err := tx.ReceptionDates(ctx, unitID, day, day)
	if err != nil || len(dated) > 0 {
		return len(dated) > 0, err
	}
	hours, err := tx.UnitReceptionHours(ctx, unitID)
	return slices.ContainsFunc(hours, func(h storage.ReceptionHours) bool { return h.Weekday == day.Weekday() }), err
}

// tellBooking sends a booking's citizen a text about it, on their channel
// and in their language, once (the dedupe key is the booking's). The text's arguments
// are the unit, the day, the hours, the place, the reason (of a refusal or
// calling off) and then extra; texts pick theirs by index (%[2]s).
func tellBooking(ctx context.Context, tx *storage.Store, texts catalog, bk storage.Booking, key, dedupe string,
	extra ...any) error {
	lang := bk.Language
	args := append([]any{bot.Escape(localName(lang, bk.UnitName, bk.UnitNameEN)), texts.dayText(lang, bk.Date()),
		bk.Starts, bk.Ends, bot.Escape(bk.Place), bot.Escape(bk.Reason)}, extra...)
	text := texts.text(lang, key, args...)
	o := bot.Outgoing{Kind: bot.KindText, ChatID: bk.ChatID, Text: text}
	return enqueue(ctx, tx, bk.Channel, o, fmt.Sprintf("%s:%d", dedupe, bk.ID))
}
