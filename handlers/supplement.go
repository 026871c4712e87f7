package handlers

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// Flows in which the citizen's next message belongs to an existing ticket.
const (
	flowSupplement = "supplement" // more information for an open ticket
	flowComment    = "comment"    // an optional comment on a rating
)

// An optional comment on a rating is awaited only briefly: a message much
// later is a new matter (a new petition, a reply to a unit's question),
// not the comment.
const commentLifetime = 30 * time.Minute

// lifetimeOf is how long a conversation of a flow waits for the person.
func lifetimeOf(flow string) time.Duration {
	if flow == flowComment {
		return commentLifetime
	}
	return DraftLifetime
}

// Buttons: "a:<ticket id>" adds information to a ticket.
const prefixAdd = "a"

type ticketRef struct {
	TicketID int64  `json:"ticket_id"`
	Code     string `json:"code"`
}

// startSupplement makes the citizen's next message go to a ticket, unless
// they are in the middle of writing a petition.
func (s *Service) startSupplement(t *turn, tk storage.Ticket, flow string) error {
	ev := t.ev
	if conv, err := t.tx.Conversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err == nil && conv.Flow == flowPetition {
		return nil
	} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if err := s.saveStep(t, flow, flow, ticketRef{TicketID: tk.ID, Code: tk.Code}); err != nil {
		return err
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text(flow+".prompt", tk.Code),
		Buttons: [][]bot.InlineButton{{{Text: t.text("btn.skip"), Data: data(prefixAdd, "skip")}}}})
}

// addButton: "a:<ticket id>" starts adding information; "a:skip" ends it.
func (s *Service) addButton(t *turn, args []string) error {
	if len(args) != 1 {
		return t.answer(t.text("button.stale"), false)
	}
	ev := t.ev
	if args[0] == "skip" {
		// An old prompt's Skip must not end what the person does now
		// (say, a petition they are writing).
		conv, err := s.currentConversation(t)
		if err != nil {
			return err
		}
		if conv == nil || (conv.Flow != flowSupplement && conv.Flow != flowComment) {
			return t.answer(t.text("button.stale"), false)
		}
		if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
			return err
		}
		return t.show(bot.Outgoing{Text: t.text("supplement.skipped")})
	}
	id, _ := strconv.ParseInt(args[0], 10, 64)
	tk, err := t.tx.LockTicket(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (tk.CitizenID != t.citizen.ID || !isOpen(tk.Status))) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	return s.startSupplement(t, tk, flowSupplement)
}

// supplementInput attaches the citizen's message to the ticket and tells
// the unit, or records the comment on a rating.
func (s *Service) supplementInput(t *turn, conv *storage.Conversation) error {
	var ref ticketRef
	if err := json.Unmarshal(conv.Data, &ref); err != nil {
		return fail("decode ticket ref", err)
	}
	ev := t.ev
	text := normalize(ev.Text)
	added := mediaOf(ev, false)
	if text == "" && added == nil {
		return t.reply("supplement.need_text")
	}
	if over, err := t.tooLong(text); over || err != nil {
		return err
	}
	tk, err := t.tx.LockTicket(t.ctx, ref.TicketID)
	if err != nil {
		return err
	}
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	if conv.Flow == flowComment {
		_, err := t.tx.ApplyChange(t.ctx, storage.Change{TicketID: tk.ID, At: s.now(), ActorKind: storage.ActorCitizen,
			ActorID: t.citizen.ID, Kind: storage.EventRated, Rating: int(tk.Rating.Int16), Body: text})
		if err != nil {
			return err
		}
		return t.reply("comment.thanks")
	}
	return s.attachInfo(t, tk, text, added)
}

// attachInfo adds the citizen's information to an open ticket; a ticket
// waiting for it goes back to the unit's hands.
func (s *Service) attachInfo(t *turn, tk storage.Ticket, text string, added *media) error {
	if !isOpen(tk.Status) {
		return t.reply("supplement.closed", tk.Code)
	}
	if added != nil {
		if err := t.tx.AddAttachment(t.ctx, added.attachment(t, tk.ID, storage.ActorCitizen), s.now()); err != nil {
			return err
		}
	}
	status := ""
	if tk.Status == storage.StatusAwaitingInfo {
		status = storage.StatusInProgress
		if err := s.resumeClock(t, tk); err != nil {
			return err
		}
	}
	tk, err := t.tx.ApplyChange(t.ctx, storage.Change{TicketID: tk.ID, At: s.now(), ActorKind: storage.ActorCitizen,
		ActorID: t.citizen.ID, Kind: storage.EventInfoAdded, ToStatus: status, Body: text})
	if err != nil {
		return err
	}
	if err := s.sendCard(t, tk, "card.info_added", text); err != nil {
		return err
	}
	return t.reply("supplement.thanks", tk.Code)
}

// answerInfoRequest attaches a citizen's message to their ticket that is
// waiting for information, when there is one.
func (s *Service) answerInfoRequest(t *turn) (bool, error) {
	open, err := t.tx.OpenTicketsOfCitizen(t.ctx, t.citizen.ID)
	if err != nil {
		return false, err
	}
	for _, listed := range open {
		if listed.Status != storage.StatusAwaitingInfo {
			continue
		}
		// Its status now: an officer may have answered it meanwhile.
		tk, err := t.tx.LockTicket(t.ctx, listed.ID)
		if err != nil {
			return false, err
		}
		if tk.Status == storage.StatusAwaitingInfo {
			text := normalize(t.ev.Text)
			if over, err := t.tooLong(text); over || err != nil {
				return true, err
			}
			return true, s.attachInfo(t, tk, text, mediaOf(t.ev, false))
		}
	}
	return false, nil
}
