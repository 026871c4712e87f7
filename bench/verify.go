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
	// AnswersDeliveredAnyway are failed callback answers the fake did
	// record: an earlier attempt was applied although the bot saw it fail
	// (a timeout or reset after the server acted), so its retry was
	// refused as already answered. They are not lost.
	AnswersDeliveredAnyway int64   `json:"answers_delivered_anyway,omitempty"`
	DrainSeconds           float64 `json:"drain_s"`
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

// deliveredAnyway counts the failed callback answers that the fake did
// record as answered.
func deliveredAnyway(ctx context.Context, db *database, api *tg.Server) (int64, error) {
	ids, err := db.failedAnswers(ctx)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	answered := map[string]bool{}
	for _, a := range api.CallbackAnswers() {
		answered[a.QueryID] = true
	}
	var n int64
	for _, id := range ids {
		if answered[id] {
			n++
		}
	}
	return n, nil
}
