package handlers

import (
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Rating buttons: "r:<ticket id>:<1-5>:<answer>", the answer being its
// event's id. Buttons sent before answers were told apart lack it.
const prefixRating = "r"

// Ratings at or below this are "not satisfied" and reopen the ticket.
const unsatisfiedRating = 2

// ratingButtons rate a ticket's latest answer.
func (s *Service) ratingButtons(t *turn, lang string, ticketID int64) ([][]bot.InlineButton, error) {
	answer, _, err := latestAnswer(t, ticketID)
	if err != nil {
		return nil, err
	}
	return ratingRows(s.texts, lang, ticketID, answer.ID), nil
}

// ratingRows are the buttons that rate answer of a ticket, best first.
func ratingRows(texts catalog, lang string, ticketID, answer int64) [][]bot.InlineButton {
	var rows [][]bot.InlineButton
	for n := 5; n >= 1; n-- {
		rows = append(rows, []bot.InlineButton{{
			Text: texts.text(lang, fmt.Sprintf("rating.%d", n)),
			Data: data(prefixRating, fmt.Sprint(ticketID), fmt.Sprint(n), fmt.Sprint(answer)),
		}})
	}
	return rows
}

// latestAnswer returns a ticket's latest answer and how many it has had.
func latestAnswer(t *turn, ticketID int64) (latest storage.TicketEvent, answers int, err error) {
	events, err := t.tx.Events(t.ctx, ticketID)
	for _, e := range events {
		if e.Kind == storage.EventAnswered {
			latest, answers = e, answers+1
		}
	}
	return latest, answers, err
}

// ratingOffered reports whether a follow-up of its sender since a ticket's
// latest answer was offered its rating (supplement.go, followUp). It
// still stands: rating an answer moves the ticket on from answered, and a
// new answer asks for a new rating.
func ratingOffered(t *turn, ticketID int64) (bool, error) {
	events, err := t.tx.Events(t.ctx, ticketID)
	for _, e := range slices.Backward(events) {
		switch e.Kind {
		case storage.EventAnswered:
			return false, err
		case storage.EventFollowUp:
			return true, err
		}
	}
	return false, err
}

// ratingButton records the citizen's rating of an answer. Only the owner of
// an answered ticket can rate it, once per answer, and only with the
// buttons under that answer.
func (s *Service) ratingButton(t *turn, args []string) error {
	if len(args) != 2 && len(args) != 3 {
		return t.answer(t.text("button.stale"), false)
	}
	id, err1 := strconv.ParseInt(args[0], 10, 64)
	n, err2 := strconv.Atoi(args[1])
	answer := int64(0) // unknown: a button of the older format
	var err3 error
	if len(args) == 3 {
		answer, err3 = strconv.ParseInt(args[2], 10, 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || n < 1 || n > 5 {
		return t.answer(t.text("button.stale"), false)
	}
	tk, err := t.tx.LockTicket(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && tk.CitizenID != t.citizen.ID) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	if tk.Status != storage.StatusAnswered {
		key, err := notRatableKey(t, tk)
		if err != nil {
			return err
		}
		return t.answer(t.text(key), false)
	}
	latest, answers, err := latestAnswer(t, tk.ID)
	if err != nil {
		return err
	}
	// A button under an earlier answer must not rate the one given since,
	// which the person may not have read. An older button names no answer:
	// it can only be the latest when there was no other.
	if answer != latest.ID && (answer != 0 || answers > 1) {
		return s.staleRating(t, tk, latest)
	}
	status, kind := storage.StatusCompleted, storage.EventRated
	if n <= unsatisfiedRating {
		status = storage.StatusReopened
	}
	tk, err = t.tx.ApplyChange(t.ctx, storage.Change{
		TicketID: tk.ID, At: s.now(), ActorKind: storage.ActorCitizen, ActorID: t.citizen.ID,
		Kind: kind, ToStatus: status, Rating: n,
	})
	if err != nil {
		return err
	}
	// A new message, not an edit of the pressed one: that one holds the
	// unit's answer, which the citizen keeps (its buttons now only say
	// the answer is rated).
	if err := t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("rating.thanks", tk.Code, t.text("rating."+strconv.Itoa(n)))}); err != nil {
		return err
	}
	if status == storage.StatusReopened {
		return s.reopen(t, tk)
	}
	// Completed: the copies, which say it was answered, say so.
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	return s.startSupplement(t, tk, flowComment)
}

// notRatableKey says why a ticket no longer answered cannot be rated:
// it was rated, or it was closed when nobody rated it in time.
func notRatableKey(t *turn, tk storage.Ticket) (string, error) {
	if tk.Status != storage.StatusCompleted {
		return "rating.already", nil
	}
	events, err := t.tx.Events(t.ctx, tk.ID)
	// The later of the rating and the close decides; notes and other
	// internal events may follow it.
	for _, e := range slices.Backward(events) {
		switch e.Kind {
		case storage.EventClosed:
			return "rating.closed", err
		case storage.EventRated:
			return "rating.already", err
		}
	}
	return "rating.already", err
}

// staleRating tells the person that the button pressed was under an
// earlier answer, and offers the latest with buttons that rate it.
func (s *Service) staleRating(t *turn, tk storage.Ticket, latest storage.TicketEvent) error {
	rows, err := s.ratingButtons(t, t.lang, tk.ID)
	if err != nil {
		return err
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("rating.stale", tk.Code, bot.Escape(latest.Body)), Buttons: rows})
}

// reopen returns an unsatisfying answer to the same unit and tells its
// leaders.
func (s *Service) reopen(t *turn, tk storage.Ticket) error {
	dueBefore := tk.DueAt
	tk, err := s.restartClock(t, tk, false)
	if err != nil {
		return err
	}
	if err := s.tellCitizenOfMove(t, tk, dueBefore, "citizen.reopened", tk.Code); err != nil {
		return err
	}
	// The copies, answered and left with a note alone, take it in hand
	// again too.
	if err := s.sendCardAnew(t, tk, "card.reopened", ""); err != nil {
		return err
	}
	leaders, err := t.tx.UnitStaff(t.ctx, tk.UnitID.Int64, storage.RoleLeader)
	if err != nil {
		return err
	}
	for _, l := range leaders {
		c, err := t.tx.CitizenByID(t.ctx, l.CitizenID)
		if err != nil {
			return err
		}
		if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: l.ChatID,
			Text: s.texts.text(c.Language, "leader.reopened", tk.Code, bot.Escape(l.UnitName))}); err != nil {
			return err
		}
	}
	return s.startSupplement(t, tk, flowSupplement)
}
