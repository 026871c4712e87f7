package handlers

import (
	"strings"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// cmdMerge runs "/gop DUPLICATE MAIN [note]": staff whose scope holds both
// open tickets close the first as a duplicate of the second (trùng lặp,
// gộp; law.md §3: many people raising one matter act through one
// petition). The duplicate's sender, and those who co-signed it, become
// co-signers of the main ticket, so they are told its outcome as
// co-signers are; they are told so now, with the note if there is one,
// and the main ticket's sender learns how many now raise it. The main
// ticket must take co-signers (cosignable), and a denunciation or a
// reception's record is never merged away: both are their sender's own.
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
	dup, into, role, ok, err := s.lockPair(t, dupCode, intoCode)
	if !ok || err != nil {
		return err
	}
	switch {
	case !isOpen(dup.Status) || !isOpen(into.Status):
		return t.reply("ticket.closed")
	case !cosignable(into):
		return t.reply("merge.not_cosignable", into.Code)
	case isGuidanceKind(dup.Kind) || dup.WasDenunciation || dup.FromReception():
		return t.reply("merge.not_mergeable", dup.Code)
	}
	if dup, err = s.change(t, dup, role, storage.EventMerged, storage.StatusMerged, into.Code, false); err != nil {
		return err
	}
	if err := t.tx.StopTicketClock(t.ctx, dup.ID); err != nil {
		return err
	}
	if _, err := s.change(t, into, role, storage.EventMergedIn, "", dup.Code, true); err != nil {
		return err
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
		if c.ID != into.CitizenID {
			n, added, err := t.tx.AddCosigner(t.ctx, into.ID, c.ID, s.now())
			if err != nil {
				return err
			}
			if added {
				total, grew = n, true
			}
		}
		key := "citizen.merged"
		if i > 0 {
			key = "cosign.merged"
		}
		text := s.texts.text(c.Language, key, dup.Code, bot.Escape(role.UnitName), into.Code)
		if note != "" {
			text += "\n\n" + s.texts.text(c.Language, "merge.note", bot.Escape(note))
		}
		if err := t.send(bot.Outgoing{Kind: bot.KindText, ChatID: c.ChatID, Text: text}); err != nil {
			return err
		}
	}
	if grew {
		if err := s.tellCitizen(t, into, "cosign.sender_told", into.Code, total); err != nil {
			return err
		}
	}
	return t.reply("merge.done", dup.Code, into.Code)
}

// lockPair locks two tickets, in the order of their codes so that two
// merges of the same pair cannot deadlock, and checks both are in the
// person's scope; the role is the one acting on the second. When ok is
// false, the person has been answered.
func (s *Service) lockPair(t *turn, first, second string) (storage.Ticket, storage.Ticket, storage.Officer, bool, error) {
	lockFirst := first < second
	a, b := first, second
	if !lockFirst {
		a, b = second, first
	}
	ta, errA := t.tx.LockTicketByCode(t.ctx, a)
	tb, errB := t.tx.LockTicketByCode(t.ctx, b)
	if !lockFirst {
		ta, tb, errA, errB = tb, ta, errB, errA
	}
	if _, _, ok, err := s.loadTicketFor(t, ta, errA); !ok || err != nil {
		return ta, tb, storage.Officer{}, false, err
	}
	tb, role, ok, err := s.loadTicketFor(t, tb, errB)
	return ta, tb, role, ok, err
}
