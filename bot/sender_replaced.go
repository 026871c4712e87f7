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
// It is retried as marks are: given up, the lease expires and the new
// version is delivered as a message of its own, the old one left as it is.
func (s *Sender) settleReplaced(ctx context.Context, mark storage.SentMark, batch []sentMark) {
	i := slices.IndexFunc(batch, func(b sentMark) bool { return b.ID == mark.ID })
	sent := batch[i].kind
	settled := s.retryWrite("correcting a message replaced in flight", 1, func() error {
		return s.store.SettleReplaced(ctx, mark, func(now storage.OutboxMessage) ([]storage.OutboxEntry, error) {
			return corrections(sent, now, mark.MessageID)
		})
	})
	if settled {
		s.logger.Info("outbox: a message replaced while in flight was corrected", "outbox_id", mark.ID)
		s.Wake() // corrections were queued
	}
}

// corrections are the outbox entries of correction. Their dedupe keys name
// the delivery they correct, so settling it twice queues them once.
func corrections(sent Kind, now storage.OutboxMessage, delivered string) ([]storage.OutboxEntry, error) {
	var fixes []Outgoing
	switch {
	case now.CopyOnly && delivered != "":
		// Delivered twice, and the row holds only the copy kept of the
		// other delivery (an erasure's), not a message: the duplicate goes.
		fixes = []Outgoing{{Kind: KindDelete, MessageID: delivered}}
	case !now.CopyOnly:
		var out Outgoing
		if err := json.Unmarshal(now.Payload, &out); err != nil {
			return nil, fmt.Errorf("decode outbox message %d: %w", now.ID, err)
		}
		fixes = correction(sent, out, delivered)
	}
	entries := make([]storage.OutboxEntry, len(fixes))
	for i, f := range fixes {
		f.ChatID, f.Group = now.ChatID, now.Group
		payload, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		entries[i] = storage.OutboxEntry{ChatID: now.ChatID, Group: now.Group, Kind: string(f.Kind), Payload: payload,
			DedupeKey: fmt.Sprintf("replaced:%d:%d:%s:%d", now.ID, now.Revision, delivered, i)}
	}
	return entries, nil
}

// correction is what turns a message delivered as sent (its kind) into
// now, the version the outbox holds: delivered, the messenger's id of the
// message delivered, is edited, or deleted and now sent in its place. An
// edit is aimed at delivered too: the messenger may have sent it as a new
// message (the one to edit was gone).
func correction(sent Kind, now Outgoing, delivered string) []Outgoing {
	texts := func(k Kind) bool { return k == KindText || k == KindEdit }
	switch {
	case delivered == "": // nothing in the chat to put right
		return nil
	case texts(sent) && texts(now.Kind):
		now.Kind, now.MessageID = KindEdit, delivered
		return []Outgoing{now}
	case now.Kind == KindDelete:
		now.MessageID = delivered
		return []Outgoing{now}
	default: // a photo becoming text, say: a message cannot change its kind
		return []Outgoing{{Kind: KindDelete, MessageID: delivered}, now}
	}
}
