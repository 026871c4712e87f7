package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// strikeHold is how long the struck run of the reminders job is held in
// its transaction, time enough to find it and kill its replica.
const strikeHold = 5 * time.Second

// jobStrike is a run of the reminders job cut off in its middle: its
// replica killed (and not restarted) while the run, having claimed its
// slot, was inside its transaction with a reminder queued but not
// committed.
type jobStrike struct {
	Replica int     `json:"replica"`
	AtS     float64 `json:"at_s"` // from the start of the jobs check
	// ReopenedTickets are the tickets the bench made due tomorrow, so
	// that the job had reminders to queue.
	ReopenedTickets int64  `json:"reopened_tickets"`
	Error           string `json:"error,omitempty"`
}

// prepareStrike gives the reminders job work and a run to cut off: today
// a working day (reminders are skipped on days off), a ticket of each
// unit (up to 10) reopened and due tomorrow (the load's are all closed),
// and a trigger of the bench's own on outbox that holds the first run
// to queue a reminder for strikeHold inside its transaction.
func prepareStrike(ctx context.Context, db *database) (reopened int64, err error) {
	for _, q := range []string{
		`INSERT INTO calendar_days (day, is_workday, reason)
		VALUES ((now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, true, 'bench: the reminders job runs today')
		ON CONFLICT (day) DO UPDATE SET is_workday = true`,
		`DROP SEQUENCE IF EXISTS bench_strike_seq`,
		`CREATE SEQUENCE bench_strike_seq`,
		fmt.Sprintf(`CREATE OR REPLACE FUNCTION bench_strike() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('bench_strike_seq') = 1 THEN PERFORM pg_sleep(%d); END IF;
			RETURN NEW;
		END $$`, int(strikeHold.Seconds())),
		`DROP TRIGGER IF EXISTS bench_strike ON outbox`,
		`CREATE TRIGGER bench_strike BEFORE INSERT ON outbox FOR EACH ROW
		WHEN (NEW.dedupe_key LIKE 'remind:%') EXECUTE FUNCTION bench_strike()`,
	} {
		if _, err := db.db.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("job strike: %w", err)
		}
	}
	res, err := db.db.ExecContext(ctx, `
		UPDATE tickets SET status = 'accepted', closed_at = NULL, paused_at = NULL, due_at = now() + interval '1 day'
		WHERE id IN (SELECT min(id) FROM tickets WHERE unit_id IS NOT NULL GROUP BY unit_id ORDER BY 1 LIMIT 10)`)
	if err != nil {
		return 0, fmt.Errorf("job strike: reopen tickets: %w", err)
	}
	return res.RowsAffected()
}

// removeStrike drops the trigger, its function and sequence.
func removeStrike(ctx context.Context, db *database) {
	for _, q := range []string{`DROP TRIGGER IF EXISTS bench_strike ON outbox`,
		`DROP FUNCTION IF EXISTS bench_strike()`, `DROP SEQUENCE IF EXISTS bench_strike_seq`} {
		_, _ = db.db.ExecContext(ctx, q)
	}
}

// strike waits, until ctx ends, for a replica's connection held in the
// trigger's sleep, and kills that replica.
func strike(ctx context.Context, db *database, f *fleet) (int, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		var app string
		err := db.db.QueryRowContext(ctx, `
			SELECT coalesce(max(application_name), '') FROM pg_stat_activity
			WHERE wait_event = 'PgSleep' AND application_name LIKE 'danvan-replica-%'`).Scan(&app)
		if err != nil {
			return 0, err
		}
		if i, err := strconv.Atoi(strings.TrimPrefix(app, "danvan-replica-")); err == nil {
			if len(f.live()) < 2 {
				return i, fmt.Errorf("replica %d runs the job, but no other replica is up to take over", i)
			}
			f.kill(f.replica(i))
			return i, nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return 0, fmt.Errorf("no run of the reminders job queued a reminder: %w", ctx.Err())
		}
	}
}
