package storage

import (
	"context"
	"encoding/json"
)

// OutboxEntry is a message to deliver, queued in the transaction that
// caused it.
type OutboxEntry struct {
	ChatID    string
	Group     bool
	Kind      string
	Payload   json.RawMessage
	DedupeKey string // optional: a second entry with the same key is ignored
}

// Enqueue queues a message for the sender.
func (s *Store) Enqueue(ctx context.Context, channel string, m OutboxEntry) error {
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO outbox (channel, chat_id, is_group, kind, payload, dedupe_key)
		VALUES ($1, $2, $3, $4, $5, nullif($6, ''))
		ON CONFLICT (dedupe_key) DO NOTHING`,
		channel, m.ChatID, m.Group, m.Kind, []byte(m.Payload), m.DedupeKey)
	return wrap("enqueue message", err)
}
