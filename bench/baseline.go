package bench

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// baselineInsertTPS measures what the database itself can commit: conns
// connections each running single-row INSERT transactions (autocommit,
// synchronous_commit on) into a scratch table for d. It is the ceiling a
// bot that commits once per update could reach on this machine. It also
// returns how many inserts committed.
func baselineInsertTPS(ctx context.Context, db *database, conns int, d time.Duration) (float64, int64, error) {
	if _, err := db.db.ExecContext(ctx, `
		CREATE TABLE IF NOT EXISTS bench_baseline (id bigserial PRIMARY KEY, body text NOT NULL, at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, 0, fmt.Errorf("baseline table: %w", err)
	}
	defer db.db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE IF EXISTS bench_baseline`)

	var (
		done  atomic.Int64
		wg    sync.WaitGroup
		errMu sync.Mutex
		first error
	)
	fail := func(err error) {
		errMu.Lock()
		first = cmp.Or(first, err)
		errMu.Unlock()
	}
	db.db.SetMaxOpenConns(max(maxConns, conns+4))
	// Every connection is open and set before the clock starts: the
	// figure is the inserts' rate, not the connections'.
	sessions := make([]*sql.Conn, conns)
	for i := range sessions {
		conn, err := db.db.Conn(ctx)
		if err == nil {
			_, err = conn.ExecContext(ctx, `SET synchronous_commit = on`)
		}
		if conn != nil {
			defer conn.Close()
		}
		if err != nil {
			return 0, 0, fmt.Errorf("baseline connection: %w", err)
		}
		sessions[i] = conn
	}
	start := time.Now()
	deadline := start.Add(d)
	runCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	for _, conn := range sessions {
		wg.Go(func() {
			for runCtx.Err() == nil {
				if _, err := conn.ExecContext(runCtx, `INSERT INTO bench_baseline (body) VALUES ($1)`, "Nước thải tràn ra đường"); err != nil {
					if runCtx.Err() == nil {
						fail(err)
					}
					return
				}
				if time.Now().Before(deadline) {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if first != nil {
		return 0, 0, fmt.Errorf("baseline insert: %w", first)
	}
	// Counted up to the deadline: the inserts cut off then take a
	// while to be cancelled, which is no time of the baseline's.
	return float64(done.Load()) / d.Seconds(), done.Load(), nil
}

// connSampleEvery is how often the bench counts the bot's connections: a
// burst of transactions is over in milliseconds.
const connSampleEvery = 20 * time.Millisecond

// connPeak is the most connections of the bot's seen busy (running a
// statement or in a transaction) and open at once.
type connPeak struct{ busy, open atomic.Int64 }

func (c *connPeak) sample(ctx context.Context, db *database) {
	busy, open, err := db.botConnections(ctx)
	if err != nil {
		return // a sample missed (the server restarting) only lowers the peak
	}
	c.busy.Store(max(c.busy.Load(), int64(busy)))
	c.open.Store(max(c.open.Load(), int64(open)))
}
