package handlers

import (
	"slices"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// cmdMerge runs "/gop DUPLICATE MAIN [note]": staff whose scope holds both
// open tickets close the first as a duplicate of the second (trùng lặp,
// gộp; law.md §3: many people raising one matter act through one
// petition). The duplicate's sender, and those who co-signed it, become
// co-signers of the main ticket, so they are told its outcome as
// co-signers are; they are told so now, with the note if there is one
// (kept on the duplicate's timeline), the main ticket's sender learns how
// many now raise it, and both units' chats are told.
//
// Refused: a main ticket that takes no co-signers (cosignable) or is a
// comment on a consultation; a duplicate that is a complaint, a
// denunciation, a reception's record or such a comment (their sender's
// own); a duplicate waiting for its sender's information (their answer
// would have nowhere to go); and a duplicate due before the main ticket
// or due when the main ticket is not (merged away, its deadline would be
// lost: merge the other way).
func (s *Service) cmdMerge(t *turn) error {
	words := strings.Fields(t.ev.Args)
	if len(words) < 2 {
		return t.reply("merge.usage")
	}
	dupCode, ok1 := storage.ParseCode(words[0])
	intoCode, ok2 := storage.ParseCode(words[1])
	if !ok1 || !ok2 {
		return t.reply("merge.usage")
	}
	if dupCode == intoCode {
		return t.reply("merge.same")
	}
	note := commandText(t.ev.Args, 2)
	if over, err := t.tooLong(note); over || err != nil {
		return err
	}
	pair, ok, err := s.lockPair(t, dupCode, intoCode)
	if !ok || err != nil {
		return err
	}
	dup, into := pair.dup, pair.into
	// A request still waiting for the sender's reply, whatever became of
	// the ticket since (a transfer takes it along): the reply would have
	// nowhere to go.
	waiting, err := t.tx.AwaitingInfoOf(t.ctx, dup.CitizenID, time.Time{}, s.now())
	if err != nil {
		return err
	}
	switch {
	case !isOpen(dup.Status) || !isOpen(into.Status):
		return t.reply("ticket.closed")
	case !cosignable(into) || into.ConsultationID.Valid:
		return t.reply("merge.not_cosignable", into.Code)
	case isGuidanceKind(dup.Kind) || dup.WasDenunciation || dup.FromReception() || dup.ConsultationID.Valid:
		return t.reply("merge.not_mergeable", dup.Code)
	case slices.ContainsFunc(waiting, func(w storage.AwaitingInfo) bool { return w.TicketID == dup.ID }):
		return t.reply("merge.awaiting_info", dup.Code)
	case dup.DueAt.Valid && (!into.DueAt.Valid || dup.DueAt.Time.Before(into.DueAt.Time)):
		return t.reply("merge.due_first", dup.Code, into.Code)
	}
	body := into.Code
	if note != "" {
		body += " — " + note
	}
	if dup, err = s.change(t, dup, pair.dupRole, storage.EventMerged, storage.StatusMerged, body, false); err != nil {
		return err
	}
	if err := t.tx.StopTicketClock(t.ctx, dup.ID); err != nil {
		return err
	}
	if err := t.tx.MergeTicket(t.ctx, dup.ID, into.ID); err != nil {
		return err
	}
	if err := s.refreshCopies(t, dup); err != nil {
		return err
	}
	if _, err := s.change(t, into, pair.intoRole, storage.EventMergedIn, "", dup.Code, true); err != nil {
		return err
	}
	if err := s.cosignMerged(t, dup, into, pair.intoRole.UnitName, note); err != nil {
		return err
	}
	// The main ticket's copies count the co-signers it gained: unlike a
	// co-signature (cosign), a merge is a step staff take one at a time.
	if into, err = t.tx.TicketByID(t.ctx, into.ID); err != nil {
		return err
	}
	if err := s.refreshCopies(t, into); err != nil {
		return err
	}
	err = s.tellUnits(t, []int64{dup.UnitID.Int64, into.UnitID.Int64}, func(lang string) string {
		return s.texts.text(lang, "staff.merged", s.staffActor(lang, pair.intoRole), dup.Code, into.Code)
	})
	if err != nil {
		return err
	}
	return t.reply("merge.done", dup.Code, into.Code)
}

// cosignMerged makes the duplicate's sender and co-signers co-signers of
// the ticket it was merged into and tells them, in the name of that
// ticket's unit (or, with none, fallbackUnit), the note added; that
// ticket's own sender, should they be one of them, is told as its sender.
// The sender of the ticket merged into learns how many now raise it.
func (s *Service) cosignMerged(t *turn, dup, into storage.Ticket, fallbackUnit, note string) error {
	voice, err := s.voiceOf(t, into, storage.Officer{})
	if err != nil {
		return err
	}
	if voice.name == "" {
		voice.name = fallbackUnit
	}
	sender, err := t.tx.CitizenByID(t.ctx, dup.CitizenID)
	if err != nil {
		return err
	}
	cosigners, err := t.tx.Cosigners(t.ctx, dup.ID)
	if err != nil {
		return err
	}
	total, grew := into.Cosigners, false
	for i, c := range append([]storage.Citizen{sender}, cosigners...) {
		key := "citizen.merged"
		switch {
		case c.ID == into.CitizenID:
			key = "citizen.merged_own"
		case i > 0:
			key = "cosign.merged"
		}
		if c.ID != into.CitizenID {
			n, added, err := t.tx.AddCosigner(t.ctx, into.ID, c.ID, s.now())
			if err != nil {
				return err
			}
			if added {
				total, grew = n, true
			}
		}
		text := s.texts.text(c.Language, key, voice, dup.Code, into.Code)
		if note != "" {
			text += "\n\n" + s.texts.text(c.Language, "merge.note", bot.Escape(note))
		}
		if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: text}); err != nil {
			return err
		}
	}
	if !grew {
		return nil
	}
	return s.tellCitizen(t, into, "cosign.sender_told", into.Code, total)
}

// ticketPair is a duplicate and the ticket it is to be merged into, with
// the person's role over each.
type ticketPair struct {
	dup, into         storage.Ticket
	dupRole, intoRole storage.Officer
}

// lockPair locks two tickets, in the order of their codes so that two
// merges of the same pair cannot deadlock, and checks both are in the
// person's scope. When ok is false, the person has been answered.
func (s *Service) lockPair(t *turn, dupCode, intoCode string) (ticketPair, bool, error) {
	var dup, into storage.Ticket
	var dupErr, intoErr error
	if dupCode < intoCode {
		dup, dupErr = t.tx.LockTicketByCode(t.ctx, dupCode)
		into, intoErr = t.tx.LockTicketByCode(t.ctx, intoCode)
	} else {
		into, intoErr = t.tx.LockTicketByCode(t.ctx, intoCode)
		dup, dupErr = t.tx.LockTicketByCode(t.ctx, dupCode)
	}
	var p ticketPair
	var ok bool
	var err error
	if p.dup, p.dupRole, ok, err = s.loadTicketFor(t, dup, dupErr); !ok || err != nil {
		return p, false, err
	}
	p.into, p.intoRole, ok, err = s.loadTicketFor(t, into, intoErr)
	return p, ok, err
}
