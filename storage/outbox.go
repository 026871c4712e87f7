package storage

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// The outbox delivers every outgoing message at least once, in order per
// chat. Handlers queue messages in their own transaction (Enqueue); the
// sender leases due messages (ClaimOutbox), delivers them and records the
// outcome. A sender that dies leaves a lease that simply expires, and the
// message is delivered again.

// answerKind is the kind of a callback answer (bot.KindAnswer). An answer
// is not a message in the chat: it must arrive within seconds or the
// query expires, so it neither waits behind the chat's queue nor holds it
// up, and flood control on the chat does not defer it.
const answerKind = "answer"

// OutboxEntry is a message to deliver, queued in the transaction that
// caused it.
type OutboxEntry struct {
	ChatID    string
	Group     bool
	Kind      string
	Payload   json.RawMessage
	DedupeKey string // optional: a second entry with the same key is ignored
}

// OutboxMessage is a leased message, for the sender to deliver.
type OutboxMessage struct {
	ID        int64           `db:"id"`
	Channel   string          `db:"channel"`
	ChatID    string          `db:"chat_id"`
	Group     bool            `db:"is_group"`
	Kind      string          `db:"kind"`
	Payload   json.RawMessage `db:"payload"`
	Attempts  int             `db:"attempts"`
	CreatedAt time.Time       `db:"created_at"`
	// Revision counts the times the message was replaced (ReplaceQueued):
	// the one claimed is what the sender delivers.
	Revision int `db:"revision"`
	// Followed reports, as of the claim, another message of the chat
	// (not an answer) waiting behind this one.
	Followed bool `db:"followed"`
	// CopyOnly reports, of a message read by SettleReplaced, that it was
	// delivered and recorded already and the row holds only the copy
	// kept of it (blanked, or presealed by an erasure), not the message.
	CopyOnly bool `db:"copy_only"`
}

// Enqueue queues messages for the sender, in order. Call it inside the
// handler's transaction, so a message exists if and only if the change
// that caused it was committed. Inside a transaction the messages are
// held and written just before it commits, all of them in one statement
// (see WriteQueued): a handler queues two or three, a batch of updates
// twenty, and each statement is a round trip. Outside one they are
// written at once.
func (s *Store) Enqueue(ctx context.Context, channel string, entries ...OutboxEntry) error {
	queued := make([]queuedEntry, len(entries))
	for i, m := range entries {
		queued[i] = queuedEntry{channel: channel, OutboxEntry: m}
	}
	if s.tx == nil {
		return s.insertOutbox(ctx, queued)
	}
	s.queued = append(s.queued, queued...)
	return nil
}

// queuedEntry is a message and its channel.
type queuedEntry struct {
	channel string
	OutboxEntry
}

// WriteQueued writes the messages the transaction has queued so far. InTx
// does it before committing; a caller that wants a failure to write them
// (a payload PostgreSQL refuses) counted against its own work, rather
// than the commit's, calls it first.
func (s *Store) WriteQueued(ctx context.Context) error {
	queued := s.queued
	s.queued = nil
	return s.insertOutbox(ctx, queued)
}

// insertOutbox writes messages in one statement. Their ids follow the
// given order (ORDER BY the ordinality), which is the order a chat's
// messages are sent in. A second entry with a dedupe key already used,
// even in the same call, is ignored.
func (s *Store) insertOutbox(ctx context.Context, queued []queuedEntry) error {
	if len(queued) == 0 {
		return nil
	}
	n := len(queued)
	channels, chats, kinds, payloads, keys := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	groups := make([]bool, n)
	for i, q := range queued {
		channels[i], chats[i], groups[i], kinds[i] = q.channel, q.ChatID, q.Group, q.Kind
		payloads[i], keys[i] = string(q.Payload), q.DedupeKey
	}
	_, err := s.x.ExecContext(ctx, `
		INSERT INTO outbox (channel, chat_id, is_group, kind, payload, dedupe_key)
		SELECT m.channel, m.chat_id, m.is_group, m.kind, m.payload::jsonb, nullif(m.dedupe_key, '')
		FROM unnest($1::text[], $2::text[], $3::boolean[], $4::text[], $5::text[], $6::text[])
		     WITH ORDINALITY AS m(channel, chat_id, is_group, kind, payload, dedupe_key, n)
		ORDER BY m.n
		ON CONFLICT (dedupe_key) DO NOTHING`,
		pq.Array(channels), pq.Array(chats), pq.Array(groups), pq.Array(kinds), pq.Array(payloads), pq.Array(keys))
	return wrap("enqueue messages", err)
}

// OutboxClaim says what ClaimOutbox may lease.
type OutboxClaim struct {
	Channel string
	Limit   int
	Lease   time.Duration
	// AnswerLease is the lease of callback answers: they expire within
	// seconds, so one held by a sender that died must be free again long
	// before that.
	AnswerLease time.Duration
	// AfterChat is where the round of chats goes on: the chat the
	// previous claim stopped at ("" to start from the first).
	AfterChat string
}

// ClaimOutbox leases up to Limit due messages: callback answers first,
// oldest first, then the oldest pending message of each chat, visiting
// the chats with messages waiting in turn, after AfterChat and round
// again. Only a chat's oldest message is eligible (an earlier message that
// is leased, postponed or deferred holds the later ones back), so a chat's
// messages go out one at a time and in order, and a chat with thousands
// waiting costs a claim no more than one with a single message. Fewer
// than Limit means every chat was visited: nothing else was due. next is
// the AfterChat of the following claim: "" once the round has reached the
// last chat. SKIP LOCKED lets several senders claim at once without ever
// leasing the same row twice.
func (s *Store) ClaimOutbox(ctx context.Context, c OutboxClaim) (msgs []OutboxMessage, next string, err error) {
	next = c.AfterChat
	msgs, err = s.claimOutbox(ctx, c, c.AfterChat, "", &next)
	if err == nil && len(msgs) < c.Limit {
		// The round reached the last chat. Unless it began at the first,
		// go on from the first up to where it began.
		next = ""
		if c.AfterChat != "" {
			// Should this fail, what is leased already is returned; the
			// next claim meets the failure again if it lasts.
			more, failed := s.claimOutbox(ctx, OutboxClaim{
				Channel: c.Channel, Limit: c.Limit - len(msgs), Lease: c.Lease, AnswerLease: c.AnswerLease,
			}, "", c.AfterChat, &next)
			if failed == nil {
				// A statement that failed while its rows were read
				// leased none of those read: sending them would send
				// them again with the next claim.
				msgs = append(msgs, more...)
			}
			if failed != nil || len(msgs) < c.Limit {
				next = ""
			}
		}
	}
	if err != nil {
		return nil, c.AfterChat, wrap("claim outbox", err)
	}
	// UPDATE ... RETURNING does not keep the CTE's order.
	slices.SortFunc(msgs, func(a, b OutboxMessage) int { return cmp.Compare(a.ID, b.ID) })
	return msgs, next, nil
}

// claimOutbox claims answers and the heads of the chats after after
// (from the first when after is "") up to upTo ("": no end), and sets
// *last to the last chat it claimed a head of, in the database's order of
// chat ids. The heads are found by one index probe per chat: the first
// waiting row after the previous chat is the next chat's oldest.
func (s *Store) claimOutbox(ctx context.Context, c OutboxClaim, after, upTo string, last *string) ([]OutboxMessage, error) {
	// A chat id may be "" (the command menu of every chat), so "from the
	// first" is >= "" rather than > "".
	query := claimOutboxAfter
	if after == "" {
		query = claimOutboxFromFirst
	}
	var rows []struct {
		OutboxMessage
		Turn int64 `db:"turn"` // the row's place among those picked: answers first, then heads in turn
	}
	err := sqlx.SelectContext(ctx, s.x, &rows, query,
		c.Channel, c.Limit, c.Lease.Seconds(), c.AnswerLease.Seconds(), after, upTo)
	msgs := make([]OutboxMessage, len(rows))
	var lastTurn int64
	for i, r := range rows {
		msgs[i] = r.OutboxMessage
		if r.Kind != answerKind && r.Turn > lastTurn {
			lastTurn, *last = r.Turn, r.ChatID
		}
	}
	return msgs, err
}

// claimOutbox's statement in its two forms, built once: the walk of the
// chats starts after a given chat, or from the first.
var (
	claimOutboxAfter     = claimOutboxQuery(">")
	claimOutboxFromFirst = claimOutboxQuery(">=")
)

// claimOutboxQuery builds claimOutbox's statement; from is the comparison
// that starts the walk of the chats: ">" or ">=".
//
// picked is an array, given to the rest as a value, and due locks the
// picked rows one primary-key probe each in a LATERAL subquery, which
// the planner cannot turn into one scan of the table: a plan cached
// while the table was small (a fresh database) otherwise read every
// row of it on each claim. due then keeps answers first and the oldest
// heads; the rows it drops stay locked until the claim's transaction ends
// (the sender claims outside any, so at once). 'answer' (answerKind) is
// written out, not a parameter: only then can the statement's cached plan
// use the partial indexes, whose predicates name it.
func claimOutboxQuery(from string) string {
	return `
		WITH RECURSIVE heads AS (
			(SELECT chat_id, id, not_before, lease_until FROM outbox
			 WHERE channel = $1 AND status = 'pending' AND kind <> 'answer' AND chat_id ` + from + ` $5
			 ORDER BY chat_id, id LIMIT 1)
			UNION ALL
			SELECT n.* FROM heads h CROSS JOIN LATERAL (
				SELECT chat_id, id, not_before, lease_until FROM outbox
				WHERE channel = $1 AND status = 'pending' AND kind <> 'answer' AND chat_id > h.chat_id
				ORDER BY chat_id, id LIMIT 1) n
			WHERE $6 = '' OR h.chat_id < $6
		), picked AS (
			SELECT ARRAY(
				(SELECT id FROM outbox
				 WHERE channel = $1 AND status = 'pending' AND kind = 'answer'
				   AND not_before <= now() AND (lease_until IS NULL OR lease_until <= now())
				 ORDER BY id LIMIT $2)
				UNION ALL
				(SELECT id FROM heads
				 WHERE ($6 = '' OR chat_id <= $6)
				   AND not_before <= now() AND (lease_until IS NULL OR lease_until <= now())
				 LIMIT $2)) AS ids
		), due AS (
			SELECT l.id FROM unnest((SELECT ids FROM picked)::bigint[]) AS p(id)
			CROSS JOIN LATERAL (
				SELECT o.id, o.kind FROM outbox o
				WHERE o.id = p.id AND o.status = 'pending'
				  AND o.not_before <= now() AND (o.lease_until IS NULL OR o.lease_until <= now())
				FOR UPDATE OF o SKIP LOCKED) l
			ORDER BY (l.kind <> 'answer'), l.id
			LIMIT $2
		)
		UPDATE outbox o SET lease_until = now() + make_interval(secs => CASE WHEN o.kind = 'answer' THEN $4::float8 ELSE $3::float8 END)
		FROM due WHERE o.id = due.id
		RETURNING o.id, o.channel, o.chat_id, o.is_group, o.kind, o.payload, o.attempts, o.created_at, o.revision,
		          array_position((SELECT ids FROM picked), o.id) AS turn,
		          EXISTS (SELECT FROM outbox f
		                  WHERE f.channel = o.channel AND f.chat_id = o.chat_id AND f.status = 'pending'
		                    AND f.kind <> 'answer' AND f.id > o.id) AS followed`
}

// SentMark records one delivered message and the messenger's id for it
// ("" when there is none, e.g. a callback answer).
type SentMark struct {
	ID        int64
	MessageID string
	// ChatID is where it went when not to its row's chat (a group that
	// became a supergroup): what later edits or deletes it reads it from
	// the row. "" otherwise.
	ChatID   string
	Revision int // of the message claimed, and so delivered
}

// keepCopy, in recording a delivery, puts in place the copy to keep when
// it is not the message itself (migration 00031), without the bytes of a
// file uploaded: they were only needed to send it, and a file (a report,
// an export) may hold what a person's erasure must reach (migration 00032).
// Most messages are kept as they are, without rewriting their payload.
const keepCopy = `payload = CASE WHEN kept_copy IS NULL AND NOT payload ? 'content' THEN payload
	ELSE coalesce(kept_copy, payload) - 'content' END, kept_copy = NULL`

// MarkOutboxSent records delivered messages, several in one statement. A
// message replaced since it was claimed (ReplaceQueued) is not recorded,
// since what went out is not what the outbox now holds: those marks are
// returned, for the sender to record with a correction (SettleReplaced).
func (s *Store) MarkOutboxSent(ctx context.Context, marks ...SentMark) (replaced []SentMark, err error) {
	if len(marks) == 1 { // the one-row form: see statements, prepared.go
		res, err := s.x.ExecContext(ctx, `
			UPDATE outbox SET status = 'sent', sent_at = now(), sent_message_id = $2, lease_until = NULL,
				chat_id = coalesce(nullif($4, ''), chat_id), `+keepCopy+`
			WHERE id = $1 AND revision = $3`, marks[0].ID, marks[0].MessageID, marks[0].Revision, marks[0].ChatID)
		if err != nil {
			return nil, wrap("mark outbox sent", err)
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return marks, nil
		}
		return nil, nil
	}
	ids := make([]int64, len(marks))
	messageIDs, chatIDs := make([]string, len(marks)), make([]string, len(marks))
	revisions := make([]int, len(marks))
	for i, m := range marks {
		ids[i], messageIDs[i], chatIDs[i], revisions[i] = m.ID, m.MessageID, m.ChatID, m.Revision
	}
	var marked []int64
	err = sqlx.SelectContext(ctx, s.planEachCall(), &marked, `
		UPDATE outbox o SET status = 'sent', sent_at = now(), sent_message_id = m.message_id, lease_until = NULL,
			chat_id = coalesce(nullif(m.chat_id, ''), o.chat_id), `+keepCopy+`
		FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::text[]) AS m(id, message_id, revision, chat_id)
		WHERE o.id = m.id AND o.revision = m.revision
		RETURNING o.id`, pq.Array(ids), pq.Array(messageIDs), pq.Array(revisions), pq.Array(chatIDs))
	if err != nil {
		return nil, wrap("mark outbox sent", err)
	}
	if len(marked) == len(marks) {
		return nil, nil
	}
	for _, m := range marks {
		if !slices.Contains(marked, m.ID) {
			replaced = append(replaced, m)
		}
	}
	return replaced, nil
}

// SettleReplaced records the delivery of a message replaced while it was
// being delivered and, in the same transaction, queues what correct makes
// of the message the outbox now holds: what puts right the one delivered.
// A message no longer in the outbox is left alone.
func (s *Store) SettleReplaced(ctx context.Context, mark SentMark, correct func(now OutboxMessage) ([]OutboxEntry, error)) error {
	return s.InTx(ctx, func(tx *Store) error {
		var now struct {
			OutboxMessage
			KeptCopy []byte `db:"kept_copy"`
		}
		err := sqlx.GetContext(ctx, tx.x, &now, `
			SELECT id, channel, chat_id, is_group, kind, payload, attempts, created_at, revision, false AS followed,
			       status <> 'pending' AND (payload = '{}' OR payload ? '`+presealedKey+`') AS copy_only, kept_copy
			FROM outbox WHERE id = $1 FOR UPDATE`, mark.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return wrap("read a replaced message", err)
		}
		entries, err := correct(now.OutboxMessage)
		if err != nil {
			return err
		}
		// Sent already (delivered twice, a lease having run out): its
		// record stands, and the correction of this delivery is queued.
		if _, err := tx.x.ExecContext(ctx, `
			UPDATE outbox SET status = 'sent', sent_at = now(), sent_message_id = $2, lease_until = NULL,
				chat_id = coalesce(nullif($3, ''), chat_id), `+keepCopy+`
			WHERE id = $1 AND status = 'pending'`, mark.ID, mark.MessageID, mark.ChatID); err != nil {
			return wrap("mark outbox sent", err)
		}
		if err := tx.Enqueue(ctx, now.Channel, entries...); err != nil || now.KeptCopy == nil {
			return err
		}
		if err := tx.WriteQueued(ctx); err != nil {
			return err
		}
		// The correction puts the message in the chat: what is kept of it
		// once delivered is what would have been kept of the message.
		keys := make([]string, len(entries))
		for i, e := range entries {
			keys[i] = e.DedupeKey
		}
		_, err = tx.x.ExecContext(ctx, `
			UPDATE outbox SET kept_copy = $2 WHERE dedupe_key = ANY($1) AND status = 'pending'`,
			pq.Array(keys), string(now.KeptCopy))
		return wrap("keep the copy of a correction", err)
	})
}

// RetryOutbox counts a failed attempt and releases the message until
// notBefore.
func (s *Store) RetryOutbox(ctx context.Context, id int64, notBefore time.Time, reason string) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE outbox SET attempts = attempts + 1, not_before = $2, last_error = $3, lease_until = NULL
		WHERE id = $1 AND status = 'pending'`, id, notBefore, reason)
	return wrap("retry outbox", err)
}

// PostponeOutbox releases a message until notBefore without counting an
// attempt: the sender did not try it, e.g. because the chat's rate limit
// had no room yet.
func (s *Store) PostponeOutbox(ctx context.Context, id int64, notBefore time.Time) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE outbox SET not_before = $2, lease_until = NULL
		WHERE id = $1 AND status = 'pending'`, id, notBefore)
	return wrap("postpone outbox", err)
}

// DeferChat obeys flood control for one chat: every pending message of the
// chat waits for wait (Telegram's retry_after), and the lease of the one
// that was refused is released. Callback answers are not chat messages
// and keep their time. The wait is counted on the database's clock, which
// every claim compares not_before with: counted on a replica's, a database
// clock ahead of it would free the chat early for a sender that took over.
func (s *Store) DeferChat(ctx context.Context, channel, chatID string, wait time.Duration) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE outbox SET not_before = greatest(not_before, now() + make_interval(secs => $3)), lease_until = NULL
		WHERE channel = $1 AND chat_id = $2 AND status = 'pending' AND kind <> 'answer'`,
		channel, chatID, wait.Seconds())
	return wrap("defer chat", err)
}

// FailOutbox gives up on a message for good (the messenger refused it); it
// stays recorded with the reason for an operator. Only the version
// claimed is given up: a message replaced since (ReplaceQueued) is
// released to be tried at once, and one recorded sent meanwhile (its
// lease ran out and another try got through) stays sent. It reports
// whether the message was given up.
func (s *Store) FailOutbox(ctx context.Context, id int64, revision int, reason string) (bool, error) {
	res, err := s.x.ExecContext(ctx, `
		UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $2, lease_until = NULL, `+keepCopy+`
		WHERE id = $1 AND status = 'pending' AND revision = $3`, id, reason, revision)
	if err != nil {
		return false, wrap("fail outbox", err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return n > 0, wrap("fail outbox", err)
	}
	_, err = s.x.ExecContext(ctx, `UPDATE outbox SET lease_until = NULL WHERE id = $1 AND status = 'pending'`, id)
	return false, wrap("release a replaced message", err)
}

// FailOutboxInstead records a message as failed and queues entry in its
// place, in one transaction (not if the message was not given up, see
// FailOutbox). entry's dedupe key makes a repeated call harmless.
func (s *Store) FailOutboxInstead(ctx context.Context, id int64, revision int, reason, channel string, entry OutboxEntry) error {
	return s.InTx(ctx, func(tx *Store) error {
		if failed, err := tx.FailOutbox(ctx, id, revision, reason); !failed || err != nil {
			return err
		}
		return tx.Enqueue(ctx, channel, entry)
	})
}

// MarkChatUnreachable records that the person behind a private chat blocked
// the bot or left, so officers can see that answers will not reach them.
// Writing to the bot again clears it (TouchCitizen). A chat without a
// citizen (an officers' group) is left alone.
func (s *Store) MarkChatUnreachable(ctx context.Context, channel, chatID string) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE citizens SET unreachable_at = now(), updated_at = now()
		WHERE channel = $1 AND chat_id = $2 AND unreachable_at IS NULL`, channel, chatID)
	return wrap("mark chat unreachable", err)
}

// OutboxBacklog reports how many messages wait, on all channels, and how
// old the oldest is.
func (s *Store) OutboxBacklog(ctx context.Context) (pending int, oldest time.Duration, err error) {
	var row struct {
		N      int     `db:"n"`
		Oldest float64 `db:"oldest"`
	}
	// Callback answers and chat messages are counted apart so that each
	// part reads its own partial index, not the whole table.
	err = sqlx.GetContext(ctx, s.x, &row, `
		SELECT coalesce(sum(n), 0) AS n,
		       coalesce(extract(epoch FROM now() - min(oldest)), 0)::float8 AS oldest
		FROM (
			SELECT count(*) AS n, min(created_at) AS oldest FROM outbox
			WHERE status = 'pending' AND kind = 'answer'
			UNION ALL
			SELECT count(*), min(created_at) FROM outbox
			WHERE status = 'pending' AND kind <> 'answer') parts`)
	return row.N, time.Duration(row.Oldest * float64(time.Second)), wrap("outbox backlog", err)
}

// PurgeOutbox deletes messages sent before the given time, and messages
// that failed for good and were queued before it: they hold the same
// names and phones, and an operator has had the time to look at them.
// Pending messages are kept, and so are delivered messages about a
// ticket that is still open, or merged into one that is, and has never
// been a denunciation (they name its code, as FormatCode writes it, or
// carry a button for it): should it be found to be one, sealing edits
// them (handlers/seal.go). A purged
// message's dedupe key is forgotten, so keep messages longer than any job
// could repeat itself.
func (s *Store) PurgeOutbox(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.x.ExecContext(ctx, `
		DELETE FROM outbox o
		WHERE ((o.status = 'sent' AND o.sent_at < $1) OR (o.status = 'failed' AND o.created_at < $1))
		  AND NOT (o.status = 'sent' AND o.kind IN ('text', 'edit', 'photo', 'document') AND `+namesSealable+`)`, before)
	if err != nil {
		return 0, wrap("purge outbox", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// SentMessageID returns the messenger's id of the message queued with
// dedupeKey, e.g. to edit it later. ErrNotFound: not sent (yet).
func (s *Store) SentMessageID(ctx context.Context, dedupeKey string) (string, error) {
	var id string
	err := sqlx.GetContext(ctx, s.x, &id, `
		SELECT coalesce(sent_message_id, '') FROM outbox WHERE dedupe_key = $1 AND status = 'sent'`, dedupeKey)
	return id, wrap("sent message id", err)
}

// MessageAbout is a message naming a ticket: delivered (the latest
// version of it, with the messenger's id) or still queued.
type MessageAbout struct {
	OutboxID int64  `db:"id"`
	ChatID   string `db:"chat_id"`
	Group    bool   `db:"is_group"`
	Kind     string `db:"kind"`
	Pending  bool   `db:"pending"`
	// Leased: still queued, and a sender is delivering it now, so its chat
	// may have it before its messenger id is recorded.
	Leased    bool   `db:"leased"`
	MessageID string `db:"sent_message_id"` // "" while queued
	Payload   []byte `db:"payload"`
	// Presealed: the copy is the message as sealing sends it, put there by
	// its sender's erasure (handlers/seal.go).
	Presealed bool `db:"presealed"`
	// KeptCopy is, of a message still queued, the copy to keep of it once
	// delivered when that is not the message (migration 00031), or nil.
	KeptCopy []byte `db:"kept_copy"`
}

// MessagesAbout lists the messages about a ticket in chats other than
// those excepted, delivered or still queued: those naming it (its code)
// and those with a button for it (":<id>" ending a button's data; the
// last part of a card split in two names it only so). Of a delivered
// message that was edited, its latest version.
func (s *Store) MessagesAbout(ctx context.Context, channel string, ticketID int64, except []string) ([]MessageAbout, error) {
	var ms []MessageAbout
	err := sqlx.SelectContext(ctx, s.x, &ms, selectLatest+`
		FROM outbox o JOIN tickets t ON t.id = $2
		WHERE o.channel = $1 AND NOT o.chat_id = ANY($3) AND `+listedRow+`
		  AND o.kind IN ('text', 'edit', 'photo', 'document')
		  AND `+aboutTicket+`
		`+latestOrder, channel, ticketID, pq.Array(except))
	return ms, wrap("list messages about a ticket", err)
}

// QueuedAbout lists the messages still queued, outside the person's own
// chat, about a ticket or reception booking of theirs (the units' cards
// of it), oldest first.
func (s *Store) QueuedAbout(ctx context.Context, channel string, citizenID int64, chatID string) ([]MessageAbout, error) {
	var ms []MessageAbout
	err := sqlx.SelectContext(ctx, s.x, &ms, `
		SELECT o.id, o.chat_id, o.is_group, o.kind, true AS pending, coalesce(o.lease_until > now(), false) AS leased,
			'' AS sent_message_id, o.payload - '`+presealedKey+`' AS payload, o.payload ? '`+presealedKey+`' AS presealed, o.kept_copy
		FROM outbox o
		WHERE o.channel = $1 AND o.status = 'pending' AND NOT (o.chat_id = $3 AND NOT o.is_group)
		  AND o.kind IN ('text', 'edit', 'photo', 'document')
		  AND (EXISTS (SELECT FROM tickets t WHERE t.citizen_id = $2 AND `+aboutTicket+`)
		       OR EXISTS (SELECT FROM reception_bookings b WHERE b.citizen_id = $2 AND `+aboutBooking+`))
		ORDER BY o.id`, channel, citizenID, chatID)
	return ms, wrap("list queued messages about a person's tickets", err)
}

// selectLatest selects, as MessageAbout, the latest version of each
// message among the outbox rows o its query finds: of a delivered one
// (its edits keep its id), the last; of one still queued, the row itself.
// Its query ends with latestOrder.
const selectLatest = `
	SELECT DISTINCT ON (o.chat_id, coalesce(o.sent_message_id, 'queued ' || o.id))
		o.id, o.chat_id, o.is_group, o.kind, o.status = 'pending' AS pending,
		coalesce(o.status = 'pending' AND o.lease_until > now(), false) AS leased,
		coalesce(o.sent_message_id, '') AS sent_message_id, o.payload - '` + presealedKey + `' AS payload,
		o.payload ? '` + presealedKey + `' AS presealed, o.kept_copy`

const latestOrder = `ORDER BY o.chat_id, coalesce(o.sent_message_id, 'queued ' || o.id), o.id DESC`

// listedRow holds for an outbox row o still queued, or delivered with
// the messenger's id: one that can be replaced or edited.
const listedRow = `(o.status = 'pending' OR (o.status = 'sent' AND coalesce(o.sent_message_id, '') <> ''))`

// CardCopies lists the copies of a ticket's card, in every chat, delivered
// or still queued: the messages with its buttons ("o:<action>:<id>"), by
// index outbox_card (migration 00036). Of a delivered message that was
// edited, the latest version that is a card (LaterEdit finds a later one
// without buttons); an edit still queued is listed apart, as MessagesAbout
// does. A card sealed or blanked since (handlers/seal.go, erasure) is no
// longer one, nor are its delivered versions, which sealing blanks. Nor is
// a copy gone from its chat: an edit of it with the card's buttons was
// dropped, delivered without a message (an officer deleted it, or it can
// no longer be edited), and each further edit would be refused too.
func (s *Store) CardCopies(ctx context.Context, channel string, ticketID int64) ([]MessageAbout, error) {
	var ms []MessageAbout
	err := sqlx.SelectContext(ctx, s.x, &ms, `
		WITH card AS (
			SELECT * FROM outbox o
			WHERE o.channel = $1 AND `+cardTicket+` = $2::text AND o.kind IN ('text', 'edit')
		), gone AS (
			-- The chat the edit was for: a group that became a supergroup
			-- has its delivery recorded under the new chat.
			SELECT coalesce(nullif(payload->>'chat_id', ''), chat_id) AS chat_id, payload->>'message_id' AS message_id
			FROM card
			WHERE kind = 'edit' AND status = 'sent' AND coalesce(sent_message_id, '') = ''
		)
		`+selectLatest+`
		FROM card o
		WHERE `+listedRow+` AND NOT EXISTS (
			SELECT FROM gone g
			WHERE g.chat_id = o.chat_id AND g.message_id = coalesce(o.sent_message_id, o.payload->>'message_id'))
		`+latestOrder, channel, ticketID)
	return ms, wrap("list copies of a card", err)
}

// LaterEdit returns the latest edit of delivered message messageID in
// chatID queued after outbox row after, if any (ok false): of a card's
// copy that CardCopies lists, the version without buttons its chat shows
// once it can no longer act on the ticket. Gone reports that edit dropped
// (delivered without a message: the copy was deleted). It is looked up
// only for such chats, rarely, by index outbox_edits (migration 00039),
// planned at each call.
func (s *Store) LaterEdit(ctx context.Context, channel, chatID, messageID string, after int64) (m MessageAbout, gone, ok bool, err error) {
	err = sqlx.GetContext(ctx, s.planEachCall(), &m, laterEditQuery, channel, chatID, messageID, after)
	if errors.Is(err, sql.ErrNoRows) {
		return MessageAbout{}, false, false, nil
	}
	if err != nil {
		return MessageAbout{}, false, false, wrap("later edit", err)
	}
	return m, !m.Pending && m.MessageID == "", true, nil
}

const laterEditQuery = `
		SELECT o.id, o.chat_id, o.is_group, o.kind, o.status = 'pending' AS pending,
			coalesce(o.status = 'pending' AND o.lease_until > now(), false) AS leased,
			coalesce(o.sent_message_id, '') AS sent_message_id, o.payload - '` + presealedKey + `' AS payload,
			o.payload ? '` + presealedKey + `' AS presealed, o.kept_copy
		FROM outbox o
		WHERE o.channel = $1 AND o.kind = 'edit' AND o.chat_id = $2 AND o.payload->>'message_id' = $3 AND o.id > $4
		  AND o.status IN ('pending', 'sent')
		ORDER BY o.id DESC LIMIT 1`

// cardTicket is the ticket whose card outbox row o is, as text: the id its
// first card button ends with. It is the expression of index outbox_card.
const cardTicket = `substring(o.payload::text from '"data": "o:[a-z]+:([0-9]+)"')`

// ReplaceQueued replaces a message still waiting in the outbox. Should a
// sender be delivering it, a retry sends the new one, and a delivery of
// the old one is put right (MarkOutboxSent). A message delivered since it
// was read is not replaced: sent is then the messenger's id of it, for
// the caller to edit instead ("" when it was replaced, or failed). Once
// delivered, the new message is kept as it is, or as keptCopy when that
// is not nil: '{}', or a message as sealing would send it (presealed).
func (s *Store) ReplaceQueued(ctx context.Context, id int64, e OutboxEntry, keptCopy []byte) (sent string, err error) {
	res, err := s.x.ExecContext(ctx, `
		UPDATE outbox SET kind = $2, payload = $3::jsonb, revision = revision + 1,
			kept_copy = CASE WHEN $4::jsonb = '{}' THEN $4::jsonb ELSE $4::jsonb || '{"`+presealedKey+`": true}' END
		WHERE id = $1 AND status = 'pending'`, id, e.Kind, string(e.Payload), nullJSON(keptCopy))
	if err != nil {
		return "", wrap("replace queued message", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return "", wrap("replace queued message", err)
	}
	err = sqlx.GetContext(ctx, s.x, &sent, `
		SELECT coalesce(sent_message_id, '') FROM outbox WHERE id = $1 AND status = 'sent'`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return sent, wrap("replace queued message", err)
}

// PresealCopy replaces the kept copy of a message with the message as
// sealing would send it once delivered (MessageAbout.Presealed): at once
// for a message delivered, at its delivery for one still queued.
func (s *Store) PresealCopy(ctx context.Context, id int64, sealed []byte) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE outbox SET
			payload = CASE WHEN status = 'pending' THEN payload ELSE $2::jsonb || '{"`+presealedKey+`": true}' END,
			kept_copy = CASE WHEN status = 'pending' THEN $2::jsonb || '{"`+presealedKey+`": true}' END
		WHERE id = $1`, id, string(sealed))
	return wrap("preseal kept copy", err)
}

// nullJSON is b as a query's jsonb argument: NULL when b is nil.
func nullJSON(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// presealedKey marks a presealed copy in its payload.
const presealedKey = "presealed"

// sealable holds when ticket t may still be sealed (handlers/seal.go):
// never a denunciation, and open, or merged into a ticket that is.
const sealable = `t.kind <> 'to_cao' AND NOT t.was_denunciation
	AND (t.status NOT IN ('completed', 'rejected', 'merged')
	     OR EXISTS (SELECT FROM tickets m WHERE m.id = t.merged_into AND m.status NOT IN ('completed', 'rejected', 'merged')))`

// namesSealable holds when outbox row o names a ticket that may still be
// sealed, by its code or a button's ticket id. The codes and ids are read
// from the row once and looked up by index, not matched against every
// ticket.
const namesSealable = `(EXISTS (SELECT FROM regexp_matches(o.payload::text, '` + codePattern + `', 'g') AS x
		JOIN tickets t ON t.code = x[1] WHERE ` + sealable + `)
	OR EXISTS (SELECT FROM regexp_matches(o.payload::text, '` + ticketButton + `([0-9]+)"', 'g') AS x
		JOIN tickets t ON t.id = x[1]::bigint WHERE ` + sealable + `))`

// codePattern finds the ticket codes in a payload, as FormatCode writes them.
const codePattern = `(PA-[0-9]{4}-[0-9]{6,})`

// ErasedTicket is a ticket of a person erasing their data, and whether it
// may still be sealed.
type ErasedTicket struct {
	Ticket
	Sealable bool `db:"sealable"`
}

// TicketsForErasure lists a person's tickets, oldest first.
func (s *Store) TicketsForErasure(ctx context.Context, citizenID int64) ([]ErasedTicket, error) {
	var ts []ErasedTicket
	err := sqlx.SelectContext(ctx, s.x, &ts, `
		SELECT `+ticketColumns+`, `+sealable+` AS sealable FROM tickets t WHERE t.citizen_id = $1 ORDER BY t.id`, citizenID)
	return ts, wrap("tickets for erasure", err)
}

// SharedCopy is the latest version of a message, delivered or queued,
// that names tickets of a person and a ticket of someone else's that may
// still be sealed (a list quoting both, a timeline naming a duplicate
// merged into it): Mine are the person's tickets that may no longer be
// sealed it names, Others and OtherCodes the others' tickets that may.
type SharedCopy struct {
	MessageAbout
	Mine       pq.Int64Array  `db:"mine"`
	Others     pq.Int64Array  `db:"others"`
	OtherCodes pq.StringArray `db:"other_codes"`
}

// SharedCopies lists the messages delivered or queued, outside the
// person's own chat, that name one of their tickets and a ticket of
// someone else's that may still be sealed. It reads every such message
// once.
func (s *Store) SharedCopies(ctx context.Context, channel string, citizenID int64, chatID string) ([]SharedCopy, error) {
	var cs []SharedCopy
	err := sqlx.SelectContext(ctx, s.x, &cs, copiesNaming(`NOT (o.chat_id = $3 AND NOT o.is_group)`,
		`mine AND NOT sealable`, `bool_or(mine) AND bool_or(NOT mine AND sealable)`), channel, citizenID, chatID)
	return cs, wrap("shared copies", err)
}

// OwnChatCopies lists the messages delivered or queued to the person's
// own private chat that name a ticket of someone else's that may still be
// sealed (an officer's cards, timelines and lists of other people's
// petitions); Mine are all the person's tickets they name.
func (s *Store) OwnChatCopies(ctx context.Context, channel string, citizenID int64, chatID string) ([]SharedCopy, error) {
	var cs []SharedCopy
	err := sqlx.SelectContext(ctx, s.x, &cs, copiesNaming(`o.chat_id = $3 AND NOT o.is_group`,
		`mine`, `bool_or(NOT mine AND sealable)`), channel, citizenID, chatID)
	return cs, wrap("own chat copies", err)
}

// copiesNaming is the query of SharedCopies and OwnChatCopies ($1 the
// channel, $2 the person, $3 their chat): of the outbox rows o in chats,
// the latest version of each message whose tickets named satisfy having,
// with the person's among them that satisfy mine.
func copiesNaming(chats, mine, having string) string {
	return `
		WITH delivered AS (
			SELECT o.id, o.payload::text AS raw FROM outbox o
			WHERE o.channel = $1 AND o.status <> 'failed' AND o.payload <> '{}' AND ` + chats + `
		), named AS (
			SELECT d.id, t.id AS ticket_id, t.code, t.citizen_id = $2 AS mine, ` + sealable + ` AS sealable
			FROM delivered d CROSS JOIN LATERAL regexp_matches(d.raw, '` + codePattern + `', 'g') AS x
			JOIN tickets t ON t.code = x[1]
			UNION
			SELECT d.id, t.id, t.code, t.citizen_id = $2, ` + sealable + `
			FROM delivered d CROSS JOIN LATERAL regexp_matches(d.raw, '` + ticketButton + `([0-9]+)"', 'g') AS x
			JOIN tickets t ON t.id = x[1]::bigint
		), shared AS (
			SELECT id,
			       coalesce(array_agg(ticket_id ORDER BY ticket_id) FILTER (WHERE ` + mine + `), '{}') AS mine,
			       array_agg(ticket_id ORDER BY ticket_id) FILTER (WHERE NOT mine AND sealable) AS others,
			       array_agg(code ORDER BY ticket_id) FILTER (WHERE NOT mine AND sealable) AS other_codes
			FROM named GROUP BY id
			HAVING ` + having + `
		)
		SELECT DISTINCT ON (o.chat_id, coalesce(o.sent_message_id, 'queued ' || o.id))
			o.id, o.chat_id, o.is_group, o.kind, o.status = 'pending' AS pending, coalesce(o.sent_message_id, '') AS sent_message_id,
			o.payload - '` + presealedKey + `' AS payload, o.payload ? '` + presealedKey + `' AS presealed, o.kept_copy,
			sh.mine, sh.others, sh.other_codes
		FROM shared sh JOIN outbox o ON o.id = sh.id
		ORDER BY o.chat_id, coalesce(o.sent_message_id, 'queued ' || o.id), o.id DESC`
}

// BlankCopies blanks the kept copies of delivered messages, every version
// of each (an edited message keeps its id), as erasure does for a
// person's.
func (s *Store) BlankCopies(ctx context.Context, channel string, chatIDs, messageIDs []string) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE outbox o SET payload = '{}'
		FROM unnest($2::text[], $3::text[]) AS m(chat_id, message_id)
		WHERE o.channel = $1 AND o.status <> 'pending' AND o.payload <> '{}'
		  AND o.chat_id = m.chat_id AND o.sent_message_id = m.message_id`,
		channel, pq.Array(chatIDs), pq.Array(messageIDs))
	return wrap("blank kept copies", err)
}
