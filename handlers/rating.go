package handlers

import (
	"errors"
	"strconv"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Rating buttons: "r:<ticket id>:<1-5>".
const prefixRating = "r"

// Ratings at or below this are "not satisfied" and reopen the ticket.
const unsatisfiedRating = 2

// ratingButton records the citizen's rating of an answer. Only the owner of
// an answered ticket can rate it, once per answer.
func (s *Service) ratingButton(t *turn, args []string) error {
	if len(args) != 2 {
		return t.answer(t.text("button.stale"), false)
	}
	id, err1 := strconv.ParseInt(args[0], 10, 64)
	n, err2 := strconv.Atoi(args[1])
	if err1 != nil || err2 != nil || n < 1 || n > 5 {
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
		return t.answer(t.text("rating.already"), false)
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
	return s.startSupplement(t, tk, flowComment)
}

// reopen returns an unsatisfying answer to the same unit and tells its
// leaders.
func (s *Service) reopen(t *turn, tk storage.Ticket) error {
	tk, err := s.restartClock(t, tk, false)
	if err != nil {
		return err
	}
	if err := t.reply("citizen.reopened", tk.Code); err != nil {
		return err
	}
	if err := s.sendCard(t, tk, "card.reopened", ""); err != nil {
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
