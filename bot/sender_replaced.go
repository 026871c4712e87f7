package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/danvan-vn/danvan/storage"
)

// settleReplaced records the delivery of a message the outbox replaced
// while it was in flight (a ticket sealed as a denunciation seals its
// card where it waits), and queues what puts right the version delivered.
// Should this fail, the lease expires and the new version is delivered as
// a message of its own.
func (s *Sender) settleReplaced(ctx context.Context, mark storage.SentMark, batch []sentMark) {
	i := slices.IndexFunc(batch, func(b sentMark) bool { return b.ID == mark.ID })
	sent := batch[i].kind
	err := s.store.SettleReplaced(ctx, mark, func(now storage.OutboxMessage) ([]storage.OutboxEntry, error) {
		var out Outgoing
		if err := json.Unmarshal(now.Payload, &out); err != nil {
			return nil, fmt.Errorf("decode outbox message %d: %w", now.ID, err)
		}
		fixes := correction(sent, out, mark.MessageID)
		entries := make([]storage.OutboxEntry, len(fixes))
		for i, f := range fixes {
			f.ChatID, f.Group = now.ChatID, now.Group
			payload, err := json.Marshal(f)
			if err != nil {
				return nil, err
			}
			entries[i] = storage.OutboxEntry{ChatID: now.ChatID, Group: now.Group, Kind: string(f.Kind), Payload: payload,
				DedupeKey: fmt.Sprintf("replaced:%d:%d:%d", now.ID, now.Revision, i)}
		}
		return entries, nil
	})
	if err != nil {
		s.logger.Error("outbox: recording a delivery replaced in flight failed; it will be sent again", "outbox_id", mark.ID, "error", err)
		return
	}
	s.logger.Info("outbox: a message replaced while in flight was corrected", "outbox_id", mark.ID)
	s.Wake() // corrections were queued
}

// correction is what turns a message delivered as sent (its kind) into
// now, the version the outbox holds: delivered, the messenger's id of the
// message delivered, is edited, or deleted and now sent in its place.
func correction(sent Kind, now Outgoing, delivered string) []Outgoing {
	switch {
	case delivered == "": // nothing in the chat to put right
		return nil
	case now.Kind == KindEdit || now.Kind == KindDelete: // aimed at its message already
		return []Outgoing{now}
	case sent == KindText && now.Kind == KindText:
		now.Kind, now.MessageID = KindEdit, delivered
		return []Outgoing{now}
	default: // a photo becoming text, say: a message cannot change its kind
		return []Outgoing{{Kind: KindDelete, MessageID: delivered}, now}
	}
}
