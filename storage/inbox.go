package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
)

// IncomingUpdate is a raw update as received from a messenger.
type IncomingUpdate struct {
	UpdateID int64
	ChatKey  string // updates with the same key are handled in order
	Payload  json.RawMessage
}

// InboxUpdate is a recorded update waiting to be handled.
type InboxUpdate struct {
	ID       int64           `db:"id"`
	Channel  string          `db:"channel"`
	UpdateID int64           `db:"update_id"`
	ChatKey  string          `db:"chat_key"`
	Payload  json.RawMessage `db:"payload"`
	Attempts int             `db:"attempts"`
}

// RecordUpdates durably stores a batch of updates. An update already
// recorded (a redelivery) is ignored, so each is handled once. It returns
// how many were new.
func (s *Store) RecordUpdates(ctx context.Context, channel string, updates []IncomingUpdate) (int, error) {
	added := 0
	err := s.InTx(ctx, func(tx *Store) error {
		for _, u := range updates {
			res, err := tx.x.ExecContext(ctx, `
				INSERT INTO inbox (channel, update_id, chat_key, payload)
				VALUES ($1, $2, $3, $4)
				ON CONFLICT (channel, update_id) DO NOTHING`,
				channel, u.UpdateID, u.ChatKey, []byte(u.Payload))
			if err != nil {
				return wrap("record update", err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	return added, err
}

// ClaimUpdate locks the oldest update that is due and has no earlier
// unhandled update from the same chat, so a chat's updates are handled in
// order even with several workers or replicas. Call it inside InTx: the
// lock lasts until the transaction ends. ErrNotFound means nothing is due.
func (s *Store) ClaimUpdate(ctx context.Context) (InboxUpdate, error) {
	var u InboxUpdate
	err := sqlx.GetContext(ctx, s.x, &u, `
		SELECT id, channel, update_id, chat_key, payload, attempts
		FROM inbox i
		WHERE processed_at IS NULL AND failed_at IS NULL AND not_before <= now()
		  AND NOT EXISTS (
			SELECT 1 FROM inbox e
			WHERE e.chat_key = i.chat_key AND e.id < i.id
			  AND e.processed_at IS NULL AND e.failed_at IS NULL)
		ORDER BY id
		LIMIT 1
		FOR UPDATE SKIP LOCKED`)
	return u, wrap("claim update", err)
}

// MarkUpdateProcessed records that an update has been handled.
func (s *Store) MarkUpdateProcessed(ctx context.Context, id int64) error {
	_, err := s.x.ExecContext(ctx, `UPDATE inbox SET processed_at = now() WHERE id = $1`, id)
	return wrap("mark update processed", err)
}

// RetryUpdate counts a failed attempt and postpones the update.
func (s *Store) RetryUpdate(ctx context.Context, id int64, notBefore time.Time, reason string) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE inbox SET attempts = attempts + 1, not_before = $2, last_error = $3
		WHERE id = $1`, id, notBefore, reason)
	return wrap("retry update", err)
}

// FailUpdate gives up on an update after repeated failures; it stays
// recorded for an operator to inspect.
func (s *Store) FailUpdate(ctx context.Context, id int64, reason string) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE inbox SET attempts = attempts + 1, failed_at = now(), last_error = $2
		WHERE id = $1`, id, reason)
	return wrap("fail update", err)
}

// PurgeInbox deletes handled updates received before the given time. Keeping
// them for a few days is enough to drop redeliveries (Telegram keeps updates
// for at most 24 hours).
func (s *Store) PurgeInbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.x.ExecContext(ctx, `
		DELETE FROM inbox WHERE processed_at IS NOT NULL AND received_at < $1`, before)
	if err != nil {
		return 0, wrap("purge inbox", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// InboxBacklog reports how many updates wait and how old the oldest is.
func (s *Store) InboxBacklog(ctx context.Context) (int, time.Duration, error) {
	var row struct {
		N      int     `db:"n"`
		Oldest float64 `db:"oldest"`
	}
	err := sqlx.GetContext(ctx, s.x, &row, `
		SELECT count(*) AS n,
		       coalesce(extract(epoch FROM now() - min(received_at)), 0)::float8 AS oldest
		FROM inbox WHERE processed_at IS NULL AND failed_at IS NULL`)
	return row.N, time.Duration(row.Oldest * float64(time.Second)), wrap("inbox backlog", err)
}
