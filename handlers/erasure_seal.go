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
//     quotes too.
//
// What their own chat received is blanked, an officer's cards of other
// people's petitions included. It returns the copies kept.
func (s *Service) presealCopies(t *turn, c storage.Citizen) ([]int64, error) {
	tickets, err := t.tx.TicketsForErasure(t.ctx, c.ID)
	if err != nil {
		return nil, err
	}
	type copyForm struct {
		o       bot.Outgoing
		m       storage.MessageAbout
		changed bool // sealed for one of the person's petitions
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
	closed := map[int64]storage.Ticket{}
	for _, tk := range tickets {
		if !tk.Sealable {
			closed[tk.ID] = tk.Ticket
		}
	}
	sealers := map[int64]*sealer{}
	for _, sc := range shared {
		f, err := form(sc.MessageAbout)
		if err != nil {
			return nil, err
		}
		for _, id := range sc.Mine { // their petitions no longer open, also quoted there
			if sealers[id] == nil {
				if sealers[id], err = s.newSealer(t, closed[id], c); err != nil {
					return nil, err
				}
			}
			seal(f, sealers[id])
		}
		list := anyButton(f.o, func(prefix string, _ []string) bool { return prefix == prefixCard })
		for i, id := range sc.Others {
			f.keep = f.keep || list || isCardOf(f.o, id) || s.isTimelineOf(f.o, sc.OtherCodes[i])
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
