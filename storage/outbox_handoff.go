package storage

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Handoff lets the process that queues messages deliver them itself. A
// transaction bound to a Handoff (WithHandoff) queues each message of the
// Handoff's channel already leased when nothing queued earlier waits in
// its chat, and the Handoff keeps it; after the commit the process's
// sender delivers those at once instead of claiming them. That saves a
// claim (a statement and a durable commit) per message and the wait for
// it. A message that is not leased (its chat has older messages waiting)
// is claimed as usual, after them.
//
// A Handoff belongs to one transaction; after a rollback it is dropped.
type Handoff struct {
	Channel     string
	Lease       time.Duration // as OutboxClaim.Lease
	AnswerLease time.Duration // as OutboxClaim.AnswerLease
	// Made is when the Handoff was made, before its transaction began:
	// its leases last at least until Made plus their length.
	Made time.Time

	leased   []OutboxMessage
	unleased int
	// leasedChat says, for each chat the transaction queued to, whether
	// its messages are leased: a chat's later messages follow its first.
	leasedChat map[string]bool
}

// Messages returns the leased messages, in the order they were queued.
func (h *Handoff) Messages() []OutboxMessage { return h.leased }

// Unleased reports how many messages of the channel the transaction
// queued for the sender to claim (behind older ones of their chat).
func (h *Handoff) Unleased() int { return h.unleased }

// WithHandoff binds the transaction's messages to h and returns the
// transaction's store. Outside a transaction it does nothing.
func (s *Store) WithHandoff(h *Handoff) *Store {
	if s.outbox != nil {
		s.outbox.handoff = h
	}
	return s
}

// leaseMode says, for each message, whether to lease it: "lease", "none",
// or "check" (when its chat has nothing waiting).
func (h *Handoff) leaseMode(channel string, m OutboxEntry) string {
	if h == nil || channel != h.Channel {
		return "none"
	}
	if m.Kind == answerKind {
		return "lease" // an answer never waits behind its chat
	}
	leased, seen := h.leasedChat[m.ChatID]
	switch {
	case !seen:
		return "check"
	case leased:
		return "lease"
	}
	return "none"
}

// took records the outcome of a flush.
func (h *Handoff) took(rows []queuedRow) {
	if h.leasedChat == nil {
		h.leasedChat = make(map[string]bool)
	}
	for _, r := range rows {
		if r.Kind != answerKind {
			h.leasedChat[r.ChatID] = r.Leased
		}
		if r.Leased {
			h.leased = append(h.leased, r.OutboxMessage)
		} else if r.Channel == h.Channel {
			h.unleased++
		}
	}
}

// txOutbox is a transaction's messages waiting for FlushOutbox, and its
// Handoff if any.
type txOutbox struct {
	queued  []queuedMessage
	handoff *Handoff
}

// queuedMessage is a message waiting in a transaction for FlushOutbox.
type queuedMessage struct {
	channel string
	entry   OutboxEntry
}

type queuedRow struct {
	OutboxMessage
	Leased bool `db:"leased"`
}

// FlushOutbox writes the messages the transaction queued so far. InTx
// flushes before it commits; a caller flushes earlier to learn which piece
// of its work a failure belongs to.
func (s *Store) FlushOutbox(ctx context.Context) error {
	if s.outbox == nil || len(s.outbox.queued) == 0 {
		return nil
	}
	queued, hand := s.outbox.queued, s.outbox.handoff
	s.outbox.queued = nil
	var lease, answerLease time.Duration
	if hand != nil {
		lease, answerLease = hand.Lease, hand.AnswerLease
	}
	for chunk := range slices.Chunk(queued, maxInsertRows) {
		args := make([]any, 0, 2+7*len(chunk))
		args = append(args, lease.Seconds(), answerLease.Seconds())
		for _, q := range chunk {
			args = append(args, q.channel, q.entry.ChatID, q.entry.Group, q.entry.Kind,
				string(q.entry.Payload), q.entry.DedupeKey, hand.leaseMode(q.channel, q.entry))
		}
		var rows []queuedRow
		if err := sqlx.SelectContext(ctx, s.x, &rows, insertOutbox[len(chunk)], args...); err != nil {
			return wrap("enqueue messages", err)
		}
		if hand != nil {
			// RETURNING does not keep the order; ids do.
			slices.SortFunc(rows, func(a, b queuedRow) int { return cmp.Compare(a.ID, b.ID) })
			hand.took(rows)
		}
	}
	return nil
}

// maxInsertRows is the most messages one statement writes: an update
// queues one to three. Each row count has its own statement text, rows
// written out rather than arrays, so that PostgreSQL keeps one generic
// plan for it: with arrays it planned the statement afresh on every call,
// which cost as much as running it.
const maxInsertRows = 4

// insertOutbox[n] writes n messages, leased as their mode says (see
// leaseMode). A chat's waiting messages are looked up by a scalar
// subquery, one index probe per message (see pendingUpdates for why not
// NOT EXISTS). All of a chat's messages in the statement see the same
// snapshot, so they are leased together or not at all.
var insertOutbox = func() (texts [maxInsertRows + 1]string) {
	for n := 1; n <= maxInsertRows; n++ {
		rows := make([]string, n)
		for i := range rows {
			p := 3 + 7*i
			rows[i] = fmt.Sprintf("(%d, $%d::text, $%d::text, $%d::bool, $%d::text, $%d::jsonb, $%d::text, $%d::text)",
				i, p, p+1, p+2, p+3, p+4, p+5, p+6)
		}
		texts[n] = `
		INSERT INTO outbox (channel, chat_id, is_group, kind, payload, dedupe_key, lease_until)
		SELECT r.channel, r.chat_id, r.is_group, r.kind, r.payload, nullif(r.dedupe_key, ''),
		       CASE WHEN r.mode = 'lease' OR (r.mode = 'check' AND (
		                SELECT true FROM outbox o
		                WHERE o.channel = r.channel AND o.chat_id = r.chat_id
		                  AND o.status = 'pending' AND o.kind <> 'answer'
		                LIMIT 1) IS NULL)
		            THEN now() + make_interval(secs => CASE WHEN r.kind = 'answer' THEN $2::float8 ELSE $1::float8 END)
		       END
		FROM (VALUES ` + strings.Join(rows, ", ") + `) AS r(n, channel, chat_id, is_group, kind, payload, dedupe_key, mode)
		ORDER BY r.n
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING id, channel, chat_id, is_group, kind, payload, attempts, created_at, lease_until IS NOT NULL AS leased`
	}
	return texts
}()
