package storage

import (
	"context"
	"fmt"
)

// Messages for many people at once (a notice to every follower of an
// area) are scheduled rather than queued: they wait in outbox_scheduled,
// each with the time it is due, and the sender moves the due ones into
// the outbox. Queued at once, thousands of chats whose message is not yet
// due would cost every claim of the outbox a walk past them; paced, they
// leave the messenger's rate room for the replies people wait for.

// ReleaseScheduled moves up to limit scheduled messages of a channel that
// are due into the outbox, the earliest first, and returns how many it
// moved. Their dedupe keys come with them, so a message moved twice (two
// senders at once) is queued once.
func (s *Store) ReleaseScheduled(ctx context.Context, channel string, limit int) (int, error) {
	res, err := s.x.ExecContext(ctx, `
		WITH due AS (
			DELETE FROM outbox_scheduled WHERE id IN (
				SELECT id FROM outbox_scheduled
				WHERE channel = $1 AND due_at <= now()
				ORDER BY due_at, id LIMIT $2
				FOR UPDATE SKIP LOCKED)
			RETURNING id, channel, chat_id, is_group, kind, payload, dedupe_key
		)
		INSERT INTO outbox (channel, chat_id, is_group, kind, payload, dedupe_key)
		SELECT channel, chat_id, is_group, kind, payload, dedupe_key FROM due ORDER BY id
		ON CONFLICT (dedupe_key) DO NOTHING`, channel, limit)
	if err != nil {
		return 0, wrap("release scheduled messages", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("storage: release scheduled messages: %w", err)
	}
	return int(n), nil
}

// ScheduledBacklog reports how many messages are scheduled, on all
// channels.
func (s *Store) ScheduledBacklog(ctx context.Context) (int, error) {
	var n int
	err := s.x.QueryRowxContext(ctx, `SELECT count(*) FROM outbox_scheduled`).Scan(&n)
	return n, wrap("scheduled backlog", err)
}

// DropScheduled takes back the scheduled messages whose dedupe keys start
// with keyPrefix and are not yet due (those due are in the outbox).
func (s *Store) DropScheduled(ctx context.Context, keyPrefix string) error {
	_, err := s.x.ExecContext(ctx, `DELETE FROM outbox_scheduled WHERE starts_with(dedupe_key, $1)`, keyPrefix)
	return wrap("drop scheduled messages", err)
}
