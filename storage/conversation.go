package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Conversation is the state of a multi-step flow (a wizard) for one person
// in one chat. It lives in the database so a restart loses nothing.
type Conversation struct {
	Channel   string          `db:"channel"`
	ChatID    string          `db:"chat_id"`
	UserID    string          `db:"user_id"`
	Flow      string          `db:"flow"`
	Step      string          `db:"step"`
	Data      json.RawMessage `db:"data"`
	UpdatedAt time.Time       `db:"updated_at"`
}

// Conversation returns the person's current flow, or ErrNotFound.
func (s *Store) Conversation(ctx context.Context, channel, chatID, userID string) (Conversation, error) {
	var c Conversation
	err := sqlx.GetContext(ctx, s.x, &c, `
		SELECT channel, chat_id, user_id, flow, step, data, updated_at
		FROM conversations WHERE channel = $1 AND chat_id = $2 AND user_id = $3`,
		channel, chatID, userID)
	return c, wrap("get conversation", err)
}

// SaveConversation creates or replaces the person's flow state; UpdatedAt
// is the service's clock (now when zero).
func (s *Store) SaveConversation(ctx context.Context, c Conversation) error {
	if len(c.Data) == 0 {
		c.Data = json.RawMessage(`{}`)
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = time.Now()
	}
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO conversations (channel, chat_id, user_id, flow, step, data, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (channel, chat_id, user_id) DO UPDATE
		SET flow = EXCLUDED.flow, step = EXCLUDED.step, data = EXCLUDED.data, updated_at = EXCLUDED.updated_at`,
		c.Channel, c.ChatID, c.UserID, c.Flow, c.Step, string(c.Data), c.UpdatedAt)
	return wrap("save conversation", err)
}

// ExpiredConversation is a flow PurgeConversations forgot, with the
// language of the person it was waiting for ("" if unknown).
type ExpiredConversation struct {
	Conversation
	Language string `db:"language"`
}

// PurgeConversations forgets flows untouched since before the given time,
// and returns them. A draft someone abandoned holds what they wrote (their
// words, phone number, location) and would be found expired if they came
// back.
func (s *Store) PurgeConversations(ctx context.Context, before time.Time) ([]ExpiredConversation, error) {
	var expired []ExpiredConversation
	err := sqlx.SelectContext(ctx, s.x, &expired, `
		WITH gone AS (DELETE FROM conversations WHERE updated_at < $1 RETURNING *)
		SELECT g.channel, g.chat_id, g.user_id, g.flow, g.step, g.data, g.updated_at, coalesce(c.language, '') AS language
		FROM gone g LEFT JOIN citizens c ON c.channel = g.channel AND c.user_id = g.user_id`, before)
	return expired, wrap("purge conversations", err)
}

// ForgetExpiredConversation forgets a flow found expired, c as it was
// read, and reports whether it did: not if housekeeping's purge (or
// anything else) took it or changed it since, so that only one of them
// tells the person.
func (s *Store) ForgetExpiredConversation(ctx context.Context, c Conversation) (bool, error) {
	res, err := s.x.ExecContext(ctx, `
		DELETE FROM conversations WHERE channel = $1 AND chat_id = $2 AND user_id = $3 AND updated_at = $4`,
		c.Channel, c.ChatID, c.UserID, c.UpdatedAt)
	if err != nil {
		return false, wrap("forget expired conversation", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("forget expired conversation", err)
}

// EndConversation forgets the person's flow state.
func (s *Store) EndConversation(ctx context.Context, channel, chatID, userID string) error {
	_, err := s.x.ExecContext(ctx, `
		DELETE FROM conversations WHERE channel = $1 AND chat_id = $2 AND user_id = $3`,
		channel, chatID, userID)
	return wrap("end conversation", err)
}

// EndFlows forgets the person's flow state if it is one of flows.
func (s *Store) EndFlows(ctx context.Context, channel, chatID, userID string, flows ...string) error {
	_, err := s.x.ExecContext(ctx, `
		DELETE FROM conversations WHERE channel = $1 AND chat_id = $2 AND user_id = $3 AND flow = ANY($4)`,
		channel, chatID, userID, pq.Array(flows))
	return wrap("end flows", err)
}
