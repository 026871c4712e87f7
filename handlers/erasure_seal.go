package handlers

import (
	"encoding/json"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// presealCopies is erasure's part in sealing (law.md §5). Erasure blanks
// the kept copies of the messages about a person's petitions, while
// sealing finds in those copies what it must edit: should a petition
// still open be found to be a denunciation later, the messages that quote
// it in the units' chats would stay as they were. So, before erasure
// blanks the rest, it keeps:
//   - the copy of each delivered message that sealing one of the person's
//     petitions still open would change, rewritten as the message sealing
//     would send for each of their petitions it concerns: a notice, or a
//     list without their quotes, which holds nothing of the person;
//   - the copy of a card, timeline or list of someone else's petition
//     still open that also concerns one of theirs (a list quoting both, a
//     timeline naming their duplicate merged into it), without their
//     quotes too;
//   - the copy of a message their own chat received about someone else's
//     petition still open (an officer's card, timeline or list of it):
//     the list without their quotes, the rest as sealing that petition
//     would send it.
//
// The rest of what their own chat received is blanked. It returns the
// copies kept.
func (s *Service) presealCopies(t *turn, c storage.Citizen) ([]int64, error) {
	tickets, err := t.tx.TicketsForErasure(t.ctx, c.ID)
	if err != nil {
		return nil, err
	}
	type copyForm struct {
		o       bot.Outgoing
		m       storage.MessageAbout
		changed bool // rewritten as sealing sends it
		keep    bool
	}
	forms := map[int64]*copyForm{}
	var ids []int64 // in the order found, for a stable order of writes
	form := func(m storage.MessageAbout) (*copyForm, error) {
		f := forms[m.OutboxID]
		if f == nil {
			f = &copyForm{m: m}
			if err := json.Unmarshal(m.Payload, &f.o); err != nil {
				return nil, fail("decode outbox message", err)
			}
			forms[m.OutboxID] = f
			ids = append(ids, m.OutboxID)
		}
		return f, nil
	}
	// A message still queued goes out as it is, the person's words being
	// the unit's to handle; what is kept of it once delivered is sealed
	// as a delivered one is.
	seal := func(f *copyForm, sl *sealer) {
		if sealed, ok := sl.seal(f.m, f.o, false); ok {
			f.o, f.changed = sealed, true
		}
	}
	// Every message about a petition of theirs still open: read for each.
	for _, tk := range tickets {
		if !tk.Sealable {
			continue
		}
		sl, msgs, err := s.sealingOf(t, tk.Ticket, c)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			f, err := form(m)
			if err != nil {
				return nil, err
			}
			seal(f, sl)
			// Kept when sealing this petition needs it: changed now, or
			// by an earlier erasure.
			f.keep = f.keep || f.changed || m.Presealed
		}
	}
	// The messages that name one of theirs and someone else's petition
	// still open: read once for all.
	shared, err := t.tx.SharedCopies(t.ctx, t.ev.Channel, c.ID, c.ChatID)
	if err != nil {
		return nil, err
	}
	// Those in their own chat that name someone else's petition still
	// open: an officer's cards, timelines and lists of it.
	own, err := t.tx.OwnChatCopies(t.ctx, t.ev.Channel, c.ID, c.ChatID)
	if err != nil {
		return nil, err
	}
	theirs := map[int64]storage.Ticket{}
	for _, tk := range tickets {
		theirs[tk.ID] = tk.Ticket
	}
	sealers := map[int64]*sealer{}
	sealerOf := func(id int64) (*sealer, error) {
		if sl := sealers[id]; sl != nil {
			return sl, nil
		}
		tk, sender := theirs[id], c
		if _, ok := theirs[id]; !ok { // someone else's
			var err error
			if tk, err = t.tx.TicketByID(t.ctx, id); err != nil {
				return nil, err
			}
			if sender, err = t.tx.CitizenByID(t.ctx, tk.CitizenID); err != nil {
				return nil, err
			}
		}
		sl, err := s.newSealer(t, tk, sender)
		sealers[id] = sl
		return sl, err
	}
	for _, sc := range append(shared, own...) {
		f, err := form(sc.MessageAbout)
		if err != nil {
			return nil, err
		}
		list := anyButton(f.o, func(prefix string, _ []string) bool { return prefix == prefixCard })
		// Their petitions no longer open also quoted there (in their own
		// chat, all of theirs).
		for _, id := range sc.Mine {
			sl, err := sealerOf(id)
			if err != nil {
				return nil, err
			}
			seal(f, sl)
		}
		inOwnChat := sc.ChatID == c.ChatID && !sc.Group
		for i, id := range sc.Others {
			if !inOwnChat || list {
				f.keep = f.keep || list || isCardOf(f.o, id) || s.isTimelineOf(f.o, sc.OtherCodes[i])
				continue
			}
			// A card, timeline or photo of it in their own chat may name
			// them (the officer who accepted it): kept as sealing it
			// would send it, which names nobody, or as an earlier
			// erasure kept it.
			sl, err := sealerOf(id)
			if err != nil {
				return nil, err
			}
			if sealed, ok := sl.seal(f.m, f.o, false); ok {
				f.o, f.changed = sealed, true
				f.keep = true
			}
			f.keep = f.keep || f.m.Presealed
		}
	}
	var kept []int64
	for _, id := range ids {
		f := forms[id]
		if !f.keep {
			continue
		}
		if f.changed {
			if err := t.tx.PresealCopy(t.ctx, id, mustJSON(f.o)); err != nil {
				return nil, err
			}
		}
		kept = append(kept, id)
	}
	return kept, nil
}
