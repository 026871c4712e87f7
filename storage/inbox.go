package storage

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// IncomingUpdate is a raw update as received from a messenger.
type IncomingUpdate struct {
	UpdateID int64
	ChatKey  string // updates with the same key are handled in order
	// ChatID and UserID are the chat and the sender as the handlers name
	// them ("" when the update has none): staff's chats are never shed.
	ChatID, UserID string
	Payload        json.RawMessage
	// SentAt is when the person sent it, if the messenger says (zero
	// otherwise): the intake's rate judges it by then. Not stored.
	SentAt time.Time
	// OverRate: its chat sends faster than the intake allows
	// (bot.IntakeLimit), so it is shed unless the chat is staff's.
	OverRate bool
}

// InboxUpdate is a recorded update waiting to be handled.
type InboxUpdate struct {
	ID       int64           `db:"id"`
	Channel  string          `db:"channel"`
	UpdateID int64           `db:"update_id"`
	ChatKey  string          `db:"chat_key"`
	Payload  json.RawMessage `db:"payload"`
	Attempts int             `db:"attempts"`
	// Followed reports, as of the claim, a later update of the chat
	// waiting behind this one: it can be claimed once this one's
	// transaction commits.
	Followed bool `db:"followed"`
}

// Recorded is what a write of the inbox did with the updates given.
type Recorded struct {
	New  int // recorded to be handled
	Shed int // recorded as shed, their chats owed a notice (see RecordUpdates)
	// ShedOverRate is how many of Shed were marked OverRate; the rest were
	// over the chat's backlog.
	ShedOverRate int
}

// RecordUpdates durably stores a batch of updates in one statement. An
// update already recorded (a redelivery) is ignored, so each is handled
// once.
//
// With chatBacklog > 0, an update whose chat already has that many
// waiting to be handled is shed: recorded as handled, unread, so it
// changes nothing and no claim reads past it (a claim reads every update
// waiting ahead of the oldest of each chat, so one account flooding the
// bot would slow everyone's). So is an update marked OverRate. Its chat
// is owed a notice (TakeShed). Updates from a unit's linked group or from
// a member of staff are never shed: their queue is work, not a flood.
func (s *Store) RecordUpdates(ctx context.Context, channel string, updates []IncomingUpdate, chatBacklog int) (Recorded, error) {
	var r Recorded
	if len(updates) == 0 {
		return r, nil
	}
	ids := make([]int64, len(updates))
	keys := make([]string, len(updates))
	chats := make([]string, len(updates))
	users := make([]string, len(updates))
	payloads := make([]string, len(updates))
	overRate := make([]bool, len(updates))
	for i, u := range updates {
		ids[i], keys[i], chats[i], users[i], payloads[i] = u.UpdateID, u.ChatKey, u.ChatID, u.UserID, string(u.Payload)
		overRate[i] = u.OverRate
	}
	var written []struct {
		UpdateID int64 `db:"update_id"`
		Shed     bool  `db:"shed"`
	}
	err := sqlx.SelectContext(ctx, s.x, &written, recordUpdatesQuery,
		channel, pq.Array(ids), pq.Array(keys), pq.Array(chats), pq.Array(users), pq.Array(payloads), chatBacklog, pq.Array(overRate))
	for _, w := range written {
		switch {
		case !w.Shed:
			r.New++
		case slices.ContainsFunc(updates, func(u IncomingUpdate) bool { return u.OverRate && u.UpdateID == w.UpdateID }):
			r.Shed++
			r.ShedOverRate++
		default:
			r.Shed++
		}
	}
	return r, wrap("record updates", err)
}

// recordUpdatesQuery judges each update by the updates of its chat
// already waiting plus those ahead of it in the batch, and by its
// OverRate (inbox_sheds, migrations 00037 and 00038). A redelivery in the
// batch, which the insert ignores, is counted among those ahead all the
// same: leaving it out (NOT EXISTS in the inbox) made the cached plan five
// times slower (0.76 against 0.15 ms a call with 3,000 updates recorded),
// for a difference only to a chat at its limit, which is flooding. A shed
// update keeps its payload until its chat's notice is queued.
const recordUpdatesQuery = `
	INSERT INTO inbox (channel, update_id, chat_key, payload, processed_at, last_error)
	SELECT $1, u.update_id, u.chat_key, u.payload::jsonb,
	       CASE WHEN u.shed THEN clock_timestamp() END, CASE WHEN u.shed THEN 'shed' END
	FROM (
		SELECT u.update_id, u.chat_key, u.payload, u.n,
		       inbox_sheds($1, u.chat_key, u.chat_id, u.user_id,
		                   row_number() OVER (PARTITION BY u.chat_key ORDER BY u.n), $7, u.over_rate) AS shed
		FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $8::boolean[])
		     WITH ORDINALITY AS u(update_id, chat_key, chat_id, user_id, payload, over_rate, n)
	) u
	ORDER BY u.n
	ON CONFLICT (channel, update_id) DO NOTHING
	RETURNING update_id, processed_at IS NOT NULL AS shed`

// pendingUpdates selects the updates that are due and are the oldest
// unhandled update of their chat, so a chat's updates are handled in order
// even with several workers or replicas.
//
// Scanning the waiting updates in id order and looking up each one's
// chat's oldest (inbox_pending) stops as soon as enough are found: a claim
// costs the same with 10 or 10,000 waiting. The lookup is a scalar
// subquery, not NOT EXISTS, because the planner turns NOT EXISTS into an
// anti join, and with statistics taken while little was waiting (a burst
// outruns autovacuum's ANALYZE) its cached plan scanned every waiting
// update for each one claimed: 125 ms a claim with 10,000 waiting. For
// the same reason the lookup has no condition on not_before: inbox_due's
// predicate names it, so the lookup cannot use that index (see migration
// 00008).
const pendingUpdates = `
	SELECT i.id, i.channel, i.update_id, i.chat_key, i.payload, i.attempts
	FROM inbox i
	WHERE i.processed_at IS NULL AND i.failed_at IS NULL AND i.not_before <= now()
	  AND i.id = (
		SELECT e.id FROM inbox e
		WHERE e.chat_key = i.chat_key AND e.processed_at IS NULL AND e.failed_at IS NULL
		ORDER BY e.id LIMIT 1)`

// claimAndMark locks the updates a selection of pendingUpdates picks and
// marks them processed in the same statement, returning them. The mark
// stands only if the claiming transaction commits, that is, with the
// handlers' work; a failed handler rolls it back with everything else.
// The mark drops the stored payload (the one returned is read before it):
// a handled update keeps only what recognises a redelivery (migration
// 00009).
// One statement instead of a claim and a mark saves a round trip per
// batch. The claim also reports, for each update, whether a later one of
// its chat waits (followed), so the worker knows to look again after its
// commit.
func claimAndMark(selection string) string {
	return `
	UPDATE inbox u SET processed_at = clock_timestamp(), payload = NULL
	FROM (` + pendingUpdates + selection + `
		FOR UPDATE SKIP LOCKED) c
	WHERE u.id = c.id
	RETURNING c.id, c.channel, c.update_id, c.chat_key, c.payload, c.attempts,
	          EXISTS (SELECT FROM inbox f
	                  WHERE f.chat_key = c.chat_key AND f.processed_at IS NULL AND f.failed_at IS NULL
	                    AND f.id > c.id) AS followed`
}

// The claims' statements: due updates oldest first, or one given update.
var (
	claimUpdatesQuery = claimAndMark(`
		ORDER BY i.id
		LIMIT $1`)
	claimUpdateQuery = claimAndMark(`
		AND i.id = $1`)
)

// ClaimUpdates locks up to limit due updates, oldest first, at most one per
// chat, and marks them processed: call it inside InTx, whose commit makes
// the mark stand. The locks last until the transaction ends, and SKIP
// LOCKED lets other workers claim other chats meanwhile. It returns
// ErrNotFound when nothing is due.
func (s *Store) ClaimUpdates(ctx context.Context, limit int) ([]InboxUpdate, error) {
	var us []InboxUpdate
	err := sqlx.SelectContext(ctx, s.x, &us, claimUpdatesQuery, limit)
	if err == nil && len(us) == 0 {
		err = ErrNotFound
	}
	// UPDATE ... RETURNING does not keep the selection's order.
	slices.SortFunc(us, func(a, b InboxUpdate) int { return cmp.Compare(a.ID, b.ID) })
	return us, wrap("claim updates", err)
}

// ClaimUpdate locks one given update if it is still due and its chat has
// nothing earlier pending, and marks it processed as ClaimUpdates does;
// ErrNotFound otherwise (say, another worker has it). Call it inside InTx.
func (s *Store) ClaimUpdate(ctx context.Context, id int64) (InboxUpdate, error) {
	var u InboxUpdate
	err := sqlx.GetContext(ctx, s.x, &u, claimUpdateQuery, id)
	return u, wrap("claim update", err)
}

// RetryUpdate counts a failed attempt and postpones the update by delay,
// on the database's clock, which claims compare not_before with. Only
// the attempt that failed counts: the failure is recorded once its
// transaction, and the claim's lock, are gone, so another worker may have
// claimed the update meanwhile and handled it (or failed again), and
// then nothing is changed.
func (s *Store) RetryUpdate(ctx context.Context, id int64, attempts int, delay time.Duration, reason string) error {
	_, err := s.x.ExecContext(ctx, `
		UPDATE inbox SET attempts = attempts + 1, not_before = now() + make_interval(secs => $2), last_error = $3
		WHERE id = $1 AND attempts = $4 AND processed_at IS NULL AND failed_at IS NULL`,
		id, delay.Seconds(), reason, attempts)
	return wrap("retry update", err)
}

// FailUpdate gives up on an update after repeated failures; it stays
// recorded for an operator to inspect. As RetryUpdate, it changes nothing
// if another worker has handled the update or counted another attempt
// since, and reports whether it gave the update up.
func (s *Store) FailUpdate(ctx context.Context, id int64, attempts int, reason string) (bool, error) {
	res, err := s.x.ExecContext(ctx, `
		UPDATE inbox SET attempts = attempts + 1, failed_at = now(), last_error = $2
		WHERE id = $1 AND attempts = $3 AND processed_at IS NULL AND failed_at IS NULL`, id, reason, attempts)
	if err != nil {
		return false, wrap("fail update", err)
	}
	n, err := res.RowsAffected()
	return n > 0, wrap("fail update", err)
}

// PurgeInbox deletes handled updates received before handledBefore, and
// updates given up on before failedBefore. Keeping handled ids for a few
// days is enough to drop redeliveries (Telegram keeps updates for at most
// 24 hours); failed ones keep the person's raw update for an operator, so
// they go too once that time is up.
func (s *Store) PurgeInbox(ctx context.Context, handledBefore, failedBefore time.Time) (int64, error) {
	res, err := s.x.ExecContext(ctx, `
		DELETE FROM inbox
		WHERE (processed_at IS NOT NULL AND received_at < $1) OR failed_at < $2`, handledBefore, failedBefore)
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
