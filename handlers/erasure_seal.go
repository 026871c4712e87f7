package handlers

import (
	"encoding/json"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// presealCopies is erasure's part in sealing (law.md §5). Erasure blanks
// the kept copies of the messages about a person's petitions and in their
// chat, while sealing finds in those copies what it must edit: should a
// petition still open be found to be a denunciation later, the messages
// that quote it in the units' chats would stay as they were. So, before
// erasure blanks the rest, it keeps:
//   - the copy of each delivered message that sealing one of the person's
//     petitions still open would change, rewritten as the message sealing
//     would send for each of their petitions it concerns: a notice, or a
//     list without their quotes, which holds nothing of the person;
//   - the copy of a card, timeline or list of someone else's petition
//     still open that also concerns one of theirs (a list quoting both, a
//     timeline naming their duplicate merged into it) or was sent to
//     their own chat (an officer's), without the person's quotes too.
//
// It returns the copies kept.
func (s *Service) presealCopies(t *turn, c storage.Citizen) ([]int64, error) {
	tickets, err := t.tx.TicketsForErasure(t.ctx, c.ID)
	if err != nil {
		return nil, err
	}
	type copyForm struct {
		o       bot.Outgoing
		changed bool // sealed for one of the person's petitions
		keep    bool
	}
	forms := map[int64]*copyForm{}
	var ids []int64 // in the order found, for a stable order of writes
	for _, tk := range tickets {
		sl, msgs, err := s.sealingOf(t, tk.Ticket, c)
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			if m.Pending { // delivered as it is: the person's words are the unit's to handle
				continue
			}
			f := forms[m.OutboxID]
			if f == nil {
				// One an earlier erasure kept for a petition of this
				// person's still open stays.
				f = &copyForm{keep: m.Presealed && tk.Sealable}
				if err := json.Unmarshal(m.Payload, &f.o); err != nil {
					return nil, fail("decode outbox message", err)
				}
				forms[m.OutboxID] = f
				ids = append(ids, m.OutboxID)
			}
			if sealed, ok := sl.seal(m, f.o, false); ok {
				f.o, f.changed = sealed, true
				f.keep = f.keep || tk.Sealable
			}
		}
	}
	others, err := t.tx.OthersSealableNamed(t.ctx, t.ev.Channel, c.ID, c.ChatID, ids)
	if err != nil {
		return nil, err
	}
	for _, n := range others {
		f := forms[n.OutboxID]
		if f == nil { // in the person's own chat, and about none of theirs
			f = &copyForm{}
			if err := json.Unmarshal(n.Payload, &f.o); err != nil {
				return nil, fail("decode outbox message", err)
			}
			forms[n.OutboxID] = f
			ids = append(ids, n.OutboxID)
		}
		list := anyButton(f.o, func(prefix string, _ []string) bool { return prefix == prefixCard })
		f.keep = f.keep || list || isCardOf(f.o, n.TicketID) || s.isTimelineOf(f.o, n.Code)
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
