package bench

import (
	"context"
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
	runCtx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	for range conns {
		wg.Go(func() {
			conn, err := db.db.Conn(runCtx)
			if err != nil {
				errMu.Lock()
				first = err
				errMu.Unlock()
				return
			}
			defer conn.Close()
			if _, err := conn.ExecContext(runCtx, `SET synchronous_commit = on`); err != nil {
				return
			}
			for runCtx.Err() == nil {
				if _, err := conn.ExecContext(runCtx, `INSERT INTO bench_baseline (body) VALUES ($1)`, "Nước thải tràn ra đường"); err != nil {
					if runCtx.Err() == nil {
						errMu.Lock()
						first = err
						errMu.Unlock()
					}
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if first != nil {
		return 0, 0, fmt.Errorf("baseline insert: %w", first)
	}
	return float64(done.Load()) / time.Since(start).Seconds(), done.Load(), nil
}
