package bench

import (
	"context"
	"database/sql"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// verdict is what the database holds after the run, against what the
// scripted people did.
type verdict struct {
	TicketsExpected   int64 `json:"tickets_expected"`
	TicketsStored     int64 `json:"tickets_stored"`
	DuplicateTickets  int64 `json:"duplicate_tickets"`
	UnexpectedTickets int64 `json:"unexpected_tickets"`
	MissingTickets    int64 `json:"missing_tickets"`
	OutboxPending     int64 `json:"outbox_pending"`
	OutboxFailed      int64 `json:"outbox_failed"`
	// OutboxFailedKinds breaks the failed rows down by kind ("answer" is
	// a callback answer that came after the query expired).
	OutboxFailedKinds map[string]int64 `json:"outbox_failed_kinds,omitempty"`
	failedAnswers
	DrainSeconds float64 `json:"drain_s"`
}

// drain waits until the outbox is empty (or the timeout passes).
func drain(ctx context.Context, db *database, timeout time.Duration) (pending, failed int64, took time.Duration) {
	start := time.Now()
	for {
		p, f, err := db.outboxBacklog(ctx)
		if err == nil && (p == 0 || time.Since(start) > timeout) {
			return p, f, time.Since(start)
		}
		if err != nil && time.Since(start) > timeout {
			return -1, -1, time.Since(start)
		}
		select {
		case <-ctx.Done():
			return p, f, time.Since(start)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// verify counts the petitions stored per description: each filed
// petition must be there exactly once.
func verify(ctx context.Context, db *database, tag string, filed map[string]bool) (verdict, error) {
	v := verdict{TicketsExpected: int64(len(filed))}
	err := db.scan(ctx, `
		SELECT description, count(*) FROM tickets WHERE description LIKE 'Bench ' || $1 || ' %' GROUP BY description`,
		func(rows *sql.Rows) error {
			var (
				text string
				n    int64
			)
			if err := rows.Scan(&text, &n); err != nil {
				return err
			}
			v.TicketsStored++
			v.DuplicateTickets += n - 1
			if !filed[text] {
				v.UnexpectedTickets++
			}
			return nil
		}, tag)
	v.MissingTickets = v.TicketsExpected - (v.TicketsStored - v.UnexpectedTickets)
	return v, err
}

// failedAnswers sorts the callback answers given up on. None of them is
// lost.
type failedAnswers struct {
	// DeliveredAnyway: the fake did record the answer: an earlier attempt
	// was applied although the bot saw it fail (a timeout or reset after
	// the server acted), so its retry was refused as already answered.
	DeliveredAnyway int64 `json:"answers_delivered_anyway,omitempty"`
	// SentAsMessage: the query had expired, and the bot queued the
	// answer's text as a message instead (that message is counted like
	// any other).
	SentAsMessage int64 `json:"answers_sent_as_message,omitempty"`
	// ExpiredToasts: the answer was empty or a toast and was refused
	// because the query was too old (the 400 Telegram and the fake give
	// past its expiry), which only stops the button's spinner (the app
	// does so by itself at expiry) and confirms what the edited message
	// shows. A toast given up for any other reason was not delivered and
	// stays lost.
	ExpiredToasts int64 `json:"answers_expired_toasts,omitempty"`
}

// queryTooOld is in the error of an answer to an expired callback query
// (Telegram's 400 "query is too old and response timeout expired or query
// ID is invalid", which the fake gives past tg.Config.CallbackExpiry).
const queryTooOld = "query is too old"

func (a failedAnswers) total() int64 { return a.DeliveredAnyway + a.SentAsMessage + a.ExpiredToasts }

// lostMessages is the replies people waited for in vain and the outbox
// rows not sent after the drain (-1 when unread), less the failed answers
// that lost nothing.
func lostMessages(lostReplies, pending, failed int64, answers failedAnswers) int64 {
	return lostReplies + max(pending, 0) + max(failed, 0) - answers.total()
}

// sortFailedAnswers reads the failed callback answers and sorts them out;
// one that fits no case stays lost.
func sortFailedAnswers(ctx context.Context, db *database, api *tg.Server) (failedAnswers, error) {
	var a failedAnswers
	answered := map[string]bool{}
	for _, ca := range api.CallbackAnswers() {
		answered[ca.QueryID] = true
	}
	err := db.scan(ctx, `
		SELECT o.payload->>'query_id', coalesce((o.payload->>'alert')::boolean, false),
		       EXISTS (SELECT 1 FROM outbox m WHERE m.dedupe_key = 'answer:' || o.id),
		       strpos(coalesce(o.last_error, ''), $1) > 0
		FROM outbox o WHERE o.status = 'failed' AND o.kind = 'answer'`,
		func(rows *sql.Rows) error {
			var (
				id                        string
				alert, asMessage, expired bool
			)
			if err := rows.Scan(&id, &alert, &asMessage, &expired); err != nil {
				return err
			}
			switch {
			case answered[id]:
				a.DeliveredAnyway++
			case asMessage:
				a.SentAsMessage++
			case !alert && expired:
				a.ExpiredToasts++
			}
			return nil
		}, queryTooOld)
	return a, err
}
