package handlers

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// The unit's side of citizen reception: /lichtiep lists the bookings to
// meet; a booking's card ("t:o:<id>") records the meeting ("t:m:<id>"),
// which files the follow-up ticket under the Art. 28 clock, or that the
// citizen did not come ("t:a:<id>"), or refuses the reception ("t:f:<id>")
// on one of the grounds of Art. 9 ("t:g:<id>:<n>") or for a reason typed
// ("t:w:<id>"), which is sent to the citizen as the written notice of
// refusal.
const (
	actBookingOpen     = "o"
	actBookingReceived = "m"
	actBookingAbsent   = "a"
	actBookingRefuse   = "f"
	actBookingGround   = "g"
	actBookingWrite    = "w"
	// Art. 9's grounds: 1 intoxicated or unable to control oneself, 2
	// threatening or disorderly — how a person behaves at the reception,
	// so only once its day has come —, 3 a matter settled and explained
	// that is raised again.
	refusalGrounds = 3
	conductGrounds = 2
	// The officer task that waits for a refusal's reason.
	actRefuseBooking = "refuse_booking"
	// /lichtiep shows the bookings up to this many days ahead, at most
	// bookingsListed of them.
	bookingsAheadDays = 14
	bookingsListed    = 20
)

var staffBookingActions = []string{actBookingOpen, actBookingReceived, actBookingAbsent, actBookingRefuse,
	actBookingGround, actBookingWrite}

func (s *Service) cmdReceptionSchedule(t *turn) error {
	units, all, err := t.scopeUnits()
	if err != nil {
		return err
	}
	today := workcal.DateOf(s.now())
	bs, err := t.tx.UnitBookings(t.ctx, units, all, today.AddDays(bookingsAheadDays), bookingsListed)
	if err != nil {
		return err
	}
	if len(bs) == 0 {
		return t.reply("reception.staff_none", bookingsAheadDays)
	}
	var b strings.Builder
	b.WriteString(t.text("reception.staff_title"))
	var buttons []bot.InlineButton
	for _, bk := range bs {
		fmt.Fprintf(&b, "\n\n<b>#%d</b> · %s %s · %s\n%s", bk.ID, shortDay(t, bk.Date()), bk.Starts,
			bot.Escape(localName(t.lang, bk.UnitName, bk.UnitNameEN)), bot.Escape(excerpt(bk.Subject, 80)))
		buttons = append(buttons, bot.InlineButton{Text: fmt.Sprintf("#%d · %s", bk.ID, shortDay(t, bk.Date())),
			Data: data(prefixReception, actBookingOpen, fmt.Sprint(bk.ID))})
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: b.String(), Buttons: grid(buttons, 2)})
}

// bookingFor locks a booking for a staff action and checks it is in the
// person's scope (in a group, of the group's unit) and still booked. When
// ok is false, the press has been answered.
func (s *Service) bookingFor(t *turn, id int64) (storage.Booking, storage.Officer, bool, error) {
	bk, err := t.tx.LockBooking(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return bk, storage.Officer{}, false, t.tell(t.text("reception.denied"))
	}
	if err != nil {
		return bk, storage.Officer{}, false, err
	}
	role, ok, err := t.actingRole(storage.Ticket{UnitID: sql.NullInt64{Int64: bk.UnitID, Valid: true}})
	if err != nil || !ok {
		return bk, role, false, errors.Join(err, t.tell(t.text("reception.denied")))
	}
	if bk.Status != storage.BookingBooked {
		return bk, role, false, t.tell(t.text("reception.booking_done", t.text("booking."+bk.Status)))
	}
	return bk, role, true, nil
}

// tell says something about a press as an alert, or about a message as a
// reply.
func (t *turn) tell(text string) error {
	if t.ev.Button != nil {
		return t.answer(text, true)
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: text})
}

func (s *Service) receptionStaffButton(t *turn, args []string) error {
	if staff, err := t.isStaff(); err != nil || !staff {
		return errors.Join(err, t.answer(t.text("button.stale"), false))
	}
	ground := 0
	if args[0] == actBookingGround && len(args) == 3 {
		ground, _ = strconv.Atoi(args[2])
		args = args[:2]
	}
	if len(args) != 2 || (args[0] == actBookingGround && (ground < 1 || ground > refusalGrounds)) {
		return t.answer(t.text("button.stale"), false)
	}
	id, err := strconv.ParseInt(args[1], 10, 64)
	if err != nil {
		return t.answer(t.text("button.stale"), false)
	}
	bk, role, ok, err := s.bookingFor(t, id)
	if !ok || err != nil {
		return err
	}
	met := !workcal.DateOf(s.now()).Before(bk.Date())
	switch args[0] {
	case actBookingOpen:
		return t.show(s.bookingCard(t, bk, met))
	case actBookingReceived, actBookingAbsent:
		if !met {
			return t.answer(t.text("reception.not_yet"), true)
		}
		if args[0] == actBookingAbsent {
			return s.markAbsent(t, bk)
		}
		return s.markReceived(t, bk, role)
	case actBookingRefuse:
		return t.show(s.refusalGrounds(t, bk, met))
	case actBookingGround:
		if ground <= conductGrounds && !met {
			return t.answer(t.text("reception.not_yet"), true)
		}
		return s.refuse(t, bk, s.texts.text(bk.Language, fmt.Sprintf("reception.ground_text.%d", ground)))
	case actBookingWrite:
		// The prompt names the booking where a ticket's task names its code.
		return s.startTask(t, officerTask{BookingID: bk.ID, Action: actRefuseBooking}, storage.Ticket{Code: fmt.Sprintf("#%d", bk.ID)})
	}
	return t.answer(t.text("button.stale"), false)
}

// bookingCard shows a booking with what can be done about it: once its
// day has come, record the meeting or the absence; refuse at any time.
func (s *Service) bookingCard(t *turn, bk storage.Booking, met bool) bot.Outgoing {
	c, err := t.tx.CitizenByID(t.ctx, bk.CitizenID)
	name := c.DisplayName
	if err != nil || name == "" {
		name = t.text("reception.unnamed")
	}
	text := t.text("reception.card", bk.ID, bot.Escape(localName(t.lang, bk.UnitName, bk.UnitNameEN)), longDay(t, bk.Date()),
		bk.Starts, bk.Ends, bot.Escape(bk.Place), bot.Escape(name), formatTime(bk.CreatedAt), bot.Escape(bk.Subject))
	id := fmt.Sprint(bk.ID)
	var row []bot.InlineButton
	if met {
		row = append(row, bot.InlineButton{Text: t.text("reception.btn_received"), Data: data(prefixReception, actBookingReceived, id)},
			bot.InlineButton{Text: t.text("reception.btn_absent"), Data: data(prefixReception, actBookingAbsent, id)})
	}
	row = append(row, bot.InlineButton{Text: t.text("reception.btn_refuse"), Data: data(prefixReception, actBookingRefuse, id)})
	return bot.Outgoing{Text: text, Buttons: grid(row, 2)}
}

// markReceived records the meeting: what the citizen raised becomes a
// ticket of the unit, taken in hand by the person who met them, and the
// citizen is told its code and date. Art. 28's clock runs from the
// reception, not from when it is recorded: from the end of its hours when
// it is recorded later.
func (s *Service) markReceived(t *turn, bk storage.Booking, role storage.Officer) error {
	tk, err := t.tx.CreateTicket(t.ctx, storage.NewTicket{Kind: storage.ReceptionKind, CitizenID: bk.CitizenID,
		UnitID: bk.UnitID, Description: bk.Subject, Source: storage.ReceptionSource(bk.ID)}, s.now())
	if err != nil {
		return err
	}
	start := s.now()
	if held := bk.Ending(); held.Before(start) {
		start = held
	}
	_, due, err := s.startClockFrom(t, tk, start)
	if err != nil {
		return err
	}
	tk, err = s.change(t, tk, role, storage.EventAccepted, storage.StatusInProgress,
		t.text("reception.event", bk.ID, longDay(t, bk.Date())), true)
	if err != nil {
		return err
	}
	if err := t.tx.SetBookingOutcome(t.ctx, bk.ID, storage.BookingReceived, "", tk.ID, s.now()); err != nil {
		return err
	}
	t.logInfo("reception held", "booking", bk.ID, "ticket", tk.Code, "unit", bk.UnitID)
	if err := tellBooking(t.ctx, t.tx, s.texts, bk, "reception.citizen_received", "reception-received",
		tk.Code, formatDate(due)); err != nil {
		return err
	}
	card, err := s.card(t, tk, t.lang)
	if err != nil {
		return err
	}
	card.Text = t.text("reception.ticket_filed", bk.ID, tk.Code, formatDate(due)) + "\n" + card.Text
	if err := t.answer(t.text("ticket.updated"), false); err != nil {
		return err
	}
	return t.show(card)
}

func (s *Service) markAbsent(t *turn, bk storage.Booking) error {
	if err := t.tx.SetBookingOutcome(t.ctx, bk.ID, storage.BookingAbsent, "", 0, s.now()); err != nil {
		return err
	}
	if err := tellBooking(t.ctx, t.tx, s.texts, bk, "reception.citizen_absent", "reception-absent"); err != nil {
		return err
	}
	if err := t.answer(t.text("ticket.updated"), false); err != nil {
		return err
	}
	return t.show(bot.Outgoing{Text: t.text("reception.marked_absent", bk.ID)})
}

// refuseBooking takes the reason for refusing a reception (Art. 9) and
// sends the citizen the notice.
func (s *Service) refuseBooking(t *turn, task officerTask, reason string) error {
	bk, _, ok, err := s.bookingFor(t, task.BookingID)
	if !ok || err != nil {
		return err
	}
	return s.refuse(t, bk, reason)
}

// refusalGrounds offers Art. 9's grounds for refusing a reception (those
// about conduct once its day has come), and a reason of one's own.
func (s *Service) refusalGrounds(t *turn, bk storage.Booking, met bool) bot.Outgoing {
	id := fmt.Sprint(bk.ID)
	var rows [][]bot.InlineButton
	for n := 1; n <= refusalGrounds; n++ {
		if n <= conductGrounds && !met {
			continue
		}
		rows = append(rows, []bot.InlineButton{{Text: t.text(fmt.Sprintf("reception.ground.%d", n)),
			Data: data(prefixReception, actBookingGround, id, fmt.Sprint(n))}})
	}
	rows = append(rows, []bot.InlineButton{{Text: t.text("reception.btn_other_reason"), Data: data(prefixReception, actBookingWrite, id)},
		{Text: t.text("btn.back"), Data: data(prefixReception, actBookingOpen, id)}})
	return bot.Outgoing{Text: t.text("reception.refuse_choose", bk.ID), Buttons: rows}
}

// refuse refuses a booked reception with a reason, which the citizen is
// sent as the notice of refusal.
func (s *Service) refuse(t *turn, bk storage.Booking, reason string) error {
	if err := t.tx.SetBookingOutcome(t.ctx, bk.ID, storage.BookingRefused, reason, 0, s.now()); err != nil {
		return err
	}
	bk.Reason = reason
	t.logInfo("reception refused", "booking", bk.ID, "unit", bk.UnitID)
	if err := tellBooking(t.ctx, t.tx, s.texts, bk, "reception.citizen_refused", "reception-refused"); err != nil {
		return err
	}
	return t.show(bot.Outgoing{Text: t.text("reception.refused", bk.ID)})
}
