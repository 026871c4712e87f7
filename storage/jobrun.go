package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ClaimJobRun claims a scheduled job's slot; only one caller across all
// replicas gets true for a given job and slot.
func (s *Store) ClaimJobRun(ctx context.Context, job string, slot time.Time) (bool, error) {
	var one int
	err := s.x.QueryRowxContext(ctx, `
		INSERT INTO job_runs (job, slot) VALUES ($1, $2)
		ON CONFLICT DO NOTHING RETURNING 1`, job, slot).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrap("claim job run", err)
}

// FinishJobRun records the outcome of a claimed run.
func (s *Store) FinishJobRun(ctx context.Context, job string, slot time.Time, runErr error) error {
	var msg sql.NullString
	if runErr != nil {
		msg = sql.NullString{String: runErr.Error(), Valid: true}
	}
	_, err := s.x.ExecContext(ctx, `
		UPDATE job_runs SET finished_at = now(), error = $3 WHERE job = $1 AND slot = $2`, job, slot, msg)
	return wrap("finish job run", err)
}

// WithJobLock runs fn while holding a session advisory lock for the job, so
// two replicas never run the same job at once: the second waits, then
// usually finds its slot already claimed. The lock lives on one pinned
// connection, as advisory session locks must.
func (s *Store) WithJobLock(ctx context.Context, job string, fn func() error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return wrap("job lock connection", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended('job:' || $1, 0))`, job); err != nil {
		return wrap("job lock", err)
	}
	defer func() {
		_, unlockErr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended('job:' || $1, 0))`, job)
		if err == nil && unlockErr != nil {
			err = wrap("job unlock", unlockErr)
		}
	}()
	return fn()
}
