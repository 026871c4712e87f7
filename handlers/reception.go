package handlers

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Citizen reception (tiếp công dân, law.md §8): units hold receptions on
// weekdays (storage.ReceptionHours). /tiepdan lists the person's bookings
// and the units that receive; choosing a unit ("t:u:<unit>") offers its
// next days with places left, choosing one ("t:d:<unit>:<yyyy-mm-dd>")
// asks what they want to raise, and their answer books the place.
// reception_staff.go is the unit's side.
const (
	prefixReception = "t"
	flowReception   = "reception"
	// Days are offered from tomorrow to this many days ahead, at most
	// receptionDaysOffered of them.
	receptionHorizonDays = 28
	receptionDaysOffered = 4
	// Up to this many units get a button each; with more, the person
	// types part of their unit's name.
	receptionUnitsListed = 8
	// The step that waits for a unit's name, and the one that waits for
	// the subject.
	stepReceptionUnit    = "unit"
	stepReceptionSubject = "subject"
)

// Button actions after "t:".
const (
	actBookUnit   = "u"
	actBookDay    = "d"
	actBookCancel = "c" // cancel a booking
	actBookStop   = "x" // stop booking
)

type receptionDraft struct {
	UnitID int64        `json:"unit_id"`
	Day    workcal.Date `json:"day,omitzero"` // none while the unit is sought
}

func (s *Service) cmdReception(t *turn) error {
	if t.ev.Chat.Group {
		return t.reply("reception.private_only")
	}
	today := workcal.DateOf(s.now())
	booked, err := t.tx.CitizenBookings(t.ctx, t.citizen.ID, today)
	if err != nil {
		return err
	}
	var b strings.Builder
	var rows [][]bot.InlineButton
	if len(booked) > 0 {
		b.WriteString(t.text("reception.yours") + "\n")
		for _, bk := range booked {
			fmt.Fprintf(&b, "\n• %s", bookingLine(t, bk))
			if s.now().Before(bk.Starting()) { // cancelBooking
				rows = append(rows, []bot.InlineButton{{Text: t.text("reception.btn_cancel", shortDay(t, bk.Date())),
					Data: data(prefixReception, actBookCancel, fmt.Sprint(bk.ID))}})
			}
		}
		b.WriteString("\n\n")
	}
	units, err := s.receptionUnits(t)
	if err != nil {
		return err
	}
	switch {
	case len(units) == 0:
		b.WriteString(t.text("reception.none"))
	case len(units) <= receptionUnitsListed:
		b.WriteString(t.text("reception.choose_unit"))
		rows = append(rows, unitButtons(t, units)...)
	default:
		// Typing the unit's name would take the next message from a
		// petition being written.
		busy, err := s.draftInProgress(t)
		if err != nil {
			return err
		}
		if busy {
			b.WriteString(t.text("reception.draft_first"))
			break
		}
		if err := s.saveStep(t, flowReception, stepReceptionUnit, receptionDraft{}); err != nil {
			return err
		}
		b.WriteString(t.text("reception.type_unit"))
		rows = append(rows, []bot.InlineButton{{Text: t.text("btn.cancel"), Data: data(prefixReception, actBookStop)}})
	}
	return t.show(bot.Outgoing{Text: b.String(), Buttons: rows})
}

// receptionUnit is a unit that holds receptions, with its names folded
// for search.
type receptionUnit struct {
	storage.ReceptionUnit
	searchName string
}

// receptionUnits lists the units with weekly hours or a reception on a
// date citizens can book now.
func (s *Service) receptionUnits(t *turn) ([]receptionUnit, error) {
	from, to := bookableDays(s.now())
	found, err := t.tx.ReceptionUnits(t.ctx, from, to)
	units := make([]receptionUnit, len(found))
	for i, u := range found {
		units[i] = receptionUnit{ReceptionUnit: u, searchName: fold(u.Name + " " + u.NameEN)}
	}
	return units, err
}

// bookableDays are the first and last days citizens can book at a time.
func bookableDays(now time.Time) (workcal.Date, workcal.Date) {
	today := workcal.DateOf(now)
	return today.AddDays(1), today.AddDays(receptionHorizonDays)
}

func unitButtons(t *turn, units []receptionUnit) [][]bot.InlineButton {
	var rows [][]bot.InlineButton
	for _, u := range units {
		rows = append(rows, []bot.InlineButton{{Text: excerpt(localName(t.lang, u.Name, u.NameEN), 60),
			Data: data(prefixReception, actBookUnit, fmt.Sprint(u.ID))}})
	}
	return rows
}

// localName is a name in the person's language, when it has one.
func localName(lang, name, nameEN string) string {
	if lang == "en" && nameEN != "" {
		return nameEN
	}
	return name
}

// receptionButton handles "t:..." presses: the citizen's (here) and the
// unit staff's (receptionStaffButton).
func (s *Service) receptionButton(t *turn, args []string) error {
	if len(args) == 0 {
		return t.answer(t.text("button.stale"), false)
	}
	if slices.Contains(staffBookingActions, args[0]) {
		return s.receptionStaffButton(t, args)
	}
	if t.ev.Chat.Group {
		return t.answer(t.text("reception.private_only"), true)
	}
	switch {
	case args[0] == actBookStop && len(args) == 1:
		return s.stopFlow(t, flowReception)
	case args[0] == actBookUnit && len(args) == 2:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return t.answer(t.text("button.stale"), false)
		}
		return s.offerDays(t, id)
	case args[0] == actBookDay && len(args) == 3:
		id, err1 := strconv.ParseInt(args[1], 10, 64)
		day, err2 := workcal.ParseDate(args[2])
		if err1 != nil || err2 != nil {
			return t.answer(t.text("button.stale"), false)
		}
		return s.chooseDay(t, id, day)
	case args[0] == actBookCancel && len(args) == 2:
		id, err := strconv.ParseInt(args[1], 10, 64)
		if err != nil {
			return t.answer(t.text("button.stale"), false)
		}
		return s.cancelBooking(t, id)
	}
	return t.answer(t.text("button.stale"), false)
}

// receptionInput takes what a booking step waits for: part of a unit's
// name, or the subject.
func (s *Service) receptionInput(t *turn, conv *storage.Conversation) error {
	var d receptionDraft
	if err := json.Unmarshal(conv.Data, &d); err != nil {
		return fail("decode reception draft", err)
	}
	if done, err := s.cancelTyped(t); done || err != nil {
		return err
	}
	ev := t.ev
	text := normalize(ev.Text)
	if text == "" || ev.Photo != nil || ev.Document != nil || ev.Location != nil {
		return t.reply("reception.need_text")
	}
	if conv.Step == stepReceptionUnit {
		return s.findReceptionUnit(t, text)
	}
	if msg := descriptionProblem(t, text); msg != "" {
		return t.send(bot.Outgoing{Kind: bot.KindText, Text: msg})
	}
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	return s.book(t, d, text)
}

// findReceptionUnit offers the units whose name has every word typed.
func (s *Service) findReceptionUnit(t *turn, typed string) error {
	units, err := s.receptionUnits(t)
	if err != nil {
		return err
	}
	words := strings.Fields(fold(typed))
	var found []receptionUnit
	for _, u := range units {
		if matchesAll(u.searchName, words) {
			found = append(found, u)
		}
	}
	if len(found) == 0 {
		return t.reply("reception.unit_not_found")
	}
	rows := unitButtons(t, found[:min(len(found), receptionUnitsListed)])
	rows = append(rows, []bot.InlineButton{{Text: t.text("btn.cancel"), Data: data(prefixReception, actBookStop)}})
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("reception.choose_unit"), Buttons: rows})
}

func matchesAll(name string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(name, w) {
			return false
		}
	}
	return true
}

// openDay is a reception day that takes bookings.
type openDay struct {
	day   workcal.Date
	hours storage.ReceptionHours
	left  int
}

// openDays lists a unit's reception days citizens can book that are not
// called off nor full, soonest first: the days of its weekly hours that
// are working days, and its receptions on dates, which replace the weekly
// hours on theirs.
func (s *Service) openDays(t *turn, unitID int64, limit int) ([]openDay, error) {
	hours, err := t.tx.UnitReceptionHours(t.ctx, unitID)
	if err != nil {
		return nil, err
	}
	from, to := bookableDays(s.now())
	dated, err := t.tx.ReceptionDates(t.ctx, unitID, from, to)
	if err != nil || len(hours)+len(dated) == 0 {
		return nil, err
	}
	cal, err := t.calendar()
	if err != nil {
		return nil, err
	}
	standing, err := t.tx.ReceptionDays(t.ctx, unitID, from, to)
	if err != nil {
		return nil, err
	}
	var days []openDay
	for d := from; !to.Before(d) && len(days) < limit; d = d.AddDays(1) {
		var h storage.ReceptionHours
		if i := slices.IndexFunc(dated, func(r storage.ReceptionDate) bool { return r.Date() == d }); i >= 0 {
			h = dated[i].ReceptionHours
		} else if i := slices.IndexFunc(hours, func(h storage.ReceptionHours) bool { return h.Weekday == d.Weekday() }); i >= 0 && cal.IsWorkday(d) {
			h = hours[i]
		} else {
			continue
		}
		if st := standing[d]; st.ClosedReason == "" && st.Taken < h.Capacity {
			days = append(days, openDay{day: d, hours: h, left: h.Capacity - st.Taken})
		}
	}
	return days, nil
}

// offerDays shows a unit's next open days.
func (s *Service) offerDays(t *turn, unitID int64) error {
	days, err := s.openDays(t, unitID, receptionDaysOffered)
	if err != nil {
		return err
	}
	if len(days) == 0 {
		return t.answer(t.text("reception.no_days"), true)
	}
	h := days[0].hours
	text := t.text("reception.days", bot.Escape(localName(t.lang, h.UnitName, h.UnitNameEN)))
	var rows [][]bot.InlineButton
	for _, d := range days {
		label := t.text("reception.day_button", shortDay(t, d.day), d.hours.Starts, d.hours.Ends, d.left)
		rows = append(rows, []bot.InlineButton{{Text: label, Data: data(prefixReception, actBookDay, fmt.Sprint(unitID), d.day.String())}})
	}
	rows = append(rows, []bot.InlineButton{{Text: t.text("btn.cancel"), Data: data(prefixReception, actBookStop)}})
	return t.show(bot.Outgoing{Text: text, Buttons: rows})
}

// chooseDay checks the day is still open and asks for the subject.
func (s *Service) chooseDay(t *turn, unitID int64, day workcal.Date) error {
	od, ok, err := s.openDay(t, unitID, day)
	if err != nil {
		return err
	}
	if !ok {
		return t.answer(t.text("reception.day_gone"), true)
	}
	if busy, err := s.draftFirst(t, "reception.draft_first"); busy || err != nil {
		return err
	}
	if err := s.saveStep(t, flowReception, stepReceptionSubject, receptionDraft{UnitID: unitID, Day: day}); err != nil {
		return err
	}
	unit := localName(t.lang, od.hours.UnitName, od.hours.UnitNameEN)
	text := t.text("reception.when", bot.Escape(unit), longDay(t, day), od.hours.Starts, od.hours.Ends, bot.Escape(od.hours.Place)) +
		"\n\n" + t.text("reception.ask_subject") + "\n\n" + t.text("reception.consent", bot.Escape(unit))
	return t.show(bot.Outgoing{Text: text,
		Buttons: [][]bot.InlineButton{{{Text: t.text("btn.cancel"), Data: data(prefixReception, actBookStop)}}}})
}

// openDay reports whether the day is one of the unit's open days.
func (s *Service) openDay(t *turn, unitID int64, day workcal.Date) (openDay, bool, error) {
	days, err := s.openDays(t, unitID, receptionHorizonDays)
	if err != nil {
		return openDay{}, false, err
	}
	i := slices.IndexFunc(days, func(d openDay) bool { return d.day == day })
	if i < 0 {
		return openDay{}, false, nil
	}
	return days[i], true, nil
}

// book records the booking, if the day still has a place: the unit's
// receptions are locked while the places are counted.
func (s *Service) book(t *turn, d receptionDraft, subject string) error {
	// The calendar first, as a change to it takes it before the units it
	// calls bookings off at: the other order could deadlock.
	if _, err := t.calendar(); err != nil {
		return err
	}
	active, err := t.tx.LockReceptionUnit(t.ctx, d.UnitID)
	if err != nil {
		return err
	}
	if !active {
		return t.reply("reception.day_gone")
	}
	od, ok, err := s.openDay(t, d.UnitID, d.Day)
	if err != nil || !ok {
		return errors.Join(err, t.reply("reception.day_gone"))
	}
	h := od.hours
	bk, err := t.tx.CreateBooking(t.ctx, storage.NewBooking{Hours: h, CitizenID: t.citizen.ID, Day: d.Day, Subject: subject}, s.now())
	if errors.Is(err, storage.ErrDuplicate) {
		return t.reply("reception.already")
	}
	if errors.Is(err, storage.ErrBookingRefused) {
		return t.reply("reception.refused_day")
	}
	if err != nil {
		return err
	}
	unit := bot.Escape(localName(t.lang, h.UnitName, h.UnitNameEN))
	if err := t.recordConsent(storage.ConsentHandling, 0, "reception.consent", unit); err != nil {
		return err
	}
	t.logInfo("reception booked", "booking", bk.ID, "unit", h.UnitCode, "day", d.Day.String())
	return t.reply("reception.booked", unit, longDay(t, d.Day), h.Starts, h.Ends, bot.Escape(h.Place))
}

// cancelBooking lets a citizen give up their place, until the reception
// starts: after it, the unit records what happened (the follow-up clock
// depends on it).
func (s *Service) cancelBooking(t *turn, id int64) error {
	bk, err := t.tx.LockBooking(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (bk.CitizenID != t.citizen.ID || bk.Status != storage.BookingBooked)) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	if !s.now().Before(bk.Starting()) {
		return t.answer(t.text("reception.too_late_to_cancel"), true)
	}
	if err := t.tx.SetBookingOutcome(t.ctx, bk.ID, storage.BookingCancelled, "", 0, s.now()); err != nil {
		return err
	}
	if err := t.answer(t.text("reception.cancelled"), false); err != nil {
		return err
	}
	return s.cmdReception(t)
}

// bookingLine is a booking as its citizen sees it.
func bookingLine(t *turn, bk storage.Booking) string {
	return t.text("reception.line", bot.Escape(localName(t.lang, bk.UnitName, bk.UnitNameEN)), longDay(t, bk.Date()),
		bk.Starts, bk.Ends, bot.Escape(bk.Place))
}

// longDay is "Thứ Năm, 10/12/2026"; shortDay "Thứ Năm 10/12".
func longDay(t *turn, d workcal.Date) string { return t.s.texts.dayText(t.lang, d) }

func shortDay(t *turn, d workcal.Date) string {
	return t.text(fmt.Sprintf("weekday.%d", d.Weekday())) + fmt.Sprintf(" %02d/%02d", d.Day, d.Month)
}

// dayText is a date with its weekday, in a language.
func (c catalog) dayText(lang string, d workcal.Date) string {
	return c.text(lang, fmt.Sprintf("weekday.%d", d.Weekday())) + fmt.Sprintf(", %02d/%02d/%d", d.Day, d.Month, d.Year)
}
