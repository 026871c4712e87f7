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

// The message these flows wait for (an optional comment on a rating, or
// information after «Bổ sung thông tin» or a reopening) is awaited only
// briefly: a message much later is a new matter (a new petition, a reply
// to a unit's question), not that message.
const ticketMessageLifetime = 30 * time.Minute

// lifetimeOf is how long a conversation of a flow waits for the person.
func lifetimeOf(flow string) time.Duration {
	if flow == flowComment || flow == flowSupplement {
		return ticketMessageLifetime
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
	if busy, err := s.draftInProgress(t); busy || err != nil {
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
		return s.skipTicketMessage(t)
	}
	id, _ := strconv.ParseInt(args[0], 10, 64)
	tk, err := t.tx.LockTicket(t.ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (tk.CitizenID != t.citizen.ID || !isOpen(tk.Status))) {
		return t.answer(t.text("button.stale"), false)
	}
	if err != nil {
		return err
	}
	if busy, err := s.draftFirst(t, "supplement.draft_first", tk.Code); busy || err != nil {
		return err
	}
	return s.startSupplement(t, tk, flowSupplement)
}

// skipTicketMessage stops waiting for the comment or the information, as
// the prompt's Skip does.
func (s *Service) skipTicketMessage(t *turn) error {
	ev := t.ev
	if err := t.tx.EndConversation(t.ctx, ev.Channel, ev.Chat.ID, ev.From.ID); err != nil {
		return err
	}
	return t.show(bot.Outgoing{Text: t.text("supplement.skipped")})
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
	// The prompt's Skip, typed, or a word for cancelling: nothing to add.
	if ev.Photo == nil && ev.Document == nil && (s.matchNavigation(text) == "cancel" || s.typed(text, []string{"btn.skip"}, "khong", "no")) {
		return s.skipTicketMessage(t)
	}
	if conv.Flow == flowComment && (text == "" || ev.Photo != nil || ev.Document != nil) {
		// A comment is kept as text with the rating, where a photo would
		// be lost: it is asked for in words.
		return t.reply("comment.need_text")
	}
	if refused, err := t.refuseFile(); refused || err != nil {
		return err
	}
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
// waiting for it goes back to the unit's hands. Information for a
// duplicate merged meanwhile goes to the ticket holding it (passOnInfo),
// and for a ticket answered meanwhile is their follow-up (followUp).
func (s *Service) attachInfo(t *turn, tk storage.Ticket, text string, added *media) error {
	if tk.Status == storage.StatusMerged && tk.MergedInto.Valid {
		return s.passOnInfo(t, tk, text, added)
	}
	if !isOpen(tk.Status) && tk.Status != storage.StatusAnswered {
		return t.reply("supplement.closed", tk.Code)
	}
	if full, err := s.photosFull(t, tk.ID, added); full || err != nil {
		return err
	}
	if added != nil {
		if err := t.tx.AddAttachment(t.ctx, added.attachment(t, tk.ID, storage.ActorCitizen), s.now()); err != nil {
			return err
		}
	}
	if tk.Status == storage.StatusAnswered { // meanwhile
		return s.followUp(t, tk, text)
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
	if err := s.sendCardAnew(t, tk, "card.info_added", text); err != nil {
		return err
	}
	return t.reply("supplement.thanks", tk.Code)
}

// followUp keeps on an answered ticket what its sender wrote about it
// (information they were adding, a reply to a question the answer
// overtook; a photo is already attached) and sends the unit its card, as
// attachInfo does. The rating is what is awaited now: its buttons come
// with the first follow-up after the latest answer, and not with those
// after, while that offer stands unrated (ratingOffered).
func (s *Service) followUp(t *turn, tk storage.Ticket, text string) error {
	offered, err := ratingOffered(t, tk.ID)
	if err != nil {
		return err
	}
	tk, err = t.tx.ApplyChange(t.ctx, storage.Change{TicketID: tk.ID, At: s.now(), ActorKind: storage.ActorCitizen,
		ActorID: t.citizen.ID, Kind: storage.EventFollowUp, Body: text})
	if err != nil {
		return err
	}
	if err := s.sendCardAnew(t, tk, "card.follow_up", text); err != nil {
		return err
	}
	if offered {
		return t.reply("followup.thanks", tk.Code)
	}
	rate, err := s.ratingButtons(t, t.lang, tk.ID)
	if err != nil {
		return err
	}
	return t.send(bot.Outgoing{Kind: bot.KindText, Text: t.text("followup.thanks_rate", tk.Code), Buttons: rate})
}

// sendCardAnew sends a ticket's unit its card, headed by what happened
// (sendCard), after editing the copies sent before into the ticket as it
// now is (refreshCopies): none is left saying what the new card no longer
// does (awaiting its sender's information, its clock paused; answered;
// fewer photos).
func (s *Service) sendCardAnew(t *turn, tk storage.Ticket, headerKey, detail string) error {
	if err := s.refreshCopies(t, tk); err != nil {
		return err
	}
	return s.sendCard(t, tk, headerKey, detail)
}

// photosFull refuses, with a word on why, a photo added to a ticket that
// has its sender's maxPhotos already, as a petition being written does:
// every card sent on it carries them all, to every chat of the unit.
func (s *Service) photosFull(t *turn, ticketID int64, added *media) (bool, error) {
	if added == nil {
		return false, nil
	}
	atts, err := t.tx.Attachments(t.ctx, ticketID)
	if err != nil {
		return false, err
	}
	theirs := 0
	for _, a := range atts {
		if a.AddedBy == storage.ActorCitizen {
			theirs++
		}
	}
	if theirs < maxPhotos {
		return false, nil
	}
	return true, t.reply("petition.photos_full", maxPhotos)
}

// passOnInfo records information its sender gave on a merged duplicate
// on the duplicate's own timeline (theirs to see, and to erase) and sends
// the duplicate's card with it, photos too, to the unit of the open
// ticket it was merged into, whose own timeline is its sender's: as a
// card, it is sealed with that ticket should it be found a denunciation.
// The card does not name the sender, a co-signer there (co-signers are
// never named), and a line after it says which ticket it is for.
func (s *Service) passOnInfo(t *turn, dup storage.Ticket, text string, added *media) error {
	into, err := t.tx.LockTicket(t.ctx, dup.MergedInto.Int64)
	if err != nil {
		return err
	}
	if !isOpen(into.Status) || !into.UnitID.Valid {
		return t.reply("supplement.closed", dup.Code)
	}
	if full, err := s.photosFull(t, dup.ID, added); full || err != nil {
		return err
	}
	if added != nil {
		if err := t.tx.AddAttachment(t.ctx, added.attachment(t, dup.ID, storage.ActorCitizen), s.now()); err != nil {
			return err
		}
	}
	dup, err = t.tx.ApplyChange(t.ctx, storage.Change{TicketID: dup.ID, At: s.now(), ActorKind: storage.ActorCitizen,
		ActorID: t.citizen.ID, Kind: storage.EventInfoAdded, Body: text})
	if err != nil {
		return err
	}
	// The duplicate's copies are not refreshed (refreshCopies): those sent
	// here are its card without its sender's name, which a refresh from the
	// duplicate as it is would add. Merged, its own copies offer a note
	// alone whatever is added; only their photo count falls behind.
	shown := dup
	shown.Confidential = true
	if err := s.sendCardTo(t, shown, into.UnitID.Int64, "card.info_added_merged", text); err != nil {
		return err
	}
	err = s.tellUnits(t, []int64{into.UnitID.Int64}, func(lang string) string {
		return s.texts.text(lang, "staff.info_for_main", dup.Code, into.Code)
	})
	if err != nil {
		return err
	}
	return t.reply("supplement.thanks_merged", dup.Code, into.Code)
}

// replyAfterAnswer is how long after a unit answered a ticket whose
// request for information was still waiting a message is taken for the
// reply to it (kept as a follow-up): later, it is a new matter.
const replyAfterAnswer = 24 * time.Hour

// answerInfoRequest attaches a citizen's message to their ticket that is
// waiting for information asked for since a time (any, when zero), when
// there is one: the question asked last. The ticket may have moved to
// another unit since, which then gets the reply, or have been answered
// meanwhile, which keeps it as a follow-up (attachInfo).
func (s *Service) answerInfoRequest(t *turn, since time.Time) (bool, error) {
	waiting, err := t.tx.AwaitingInfoOf(t.ctx, t.citizen.ID, since, s.now().Add(-replyAfterAnswer))
	if err != nil {
		return false, err
	}
	for _, w := range waiting {
		// Its status now, locked.
		tk, err := t.tx.LockTicket(t.ctx, w.TicketID)
		if err != nil {
			return false, err
		}
		if isOpen(tk.Status) || tk.Status == storage.StatusAnswered {
			if refused, err := t.refuseFile(); refused || err != nil {
				return true, err
			}
			text := normalize(t.ev.Text)
			if over, err := t.tooLong(text); over || err != nil {
				return true, err
			}
			return true, s.attachInfo(t, tk, text, mediaOf(t.ev, false))
		}
	}
	return false, nil
}
