package storage

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// ClaimJobRun claims a scheduled job's slot, unless a run of it has
// already succeeded: a run that failed, or never finished because its
// process died, leaves the slot to be claimed again. Call it under
// WithJobLock: while the caller holds the job's lock no other run of the
// job is alive (a session's lock ends with it), so an unfinished run is a
// dead one, not one still running elsewhere.
func (s *Store) ClaimJobRun(ctx context.Context, job string, slot time.Time) (bool, error) {
	var one int
	err := s.x.QueryRowxContext(ctx, `
		INSERT INTO job_runs (job, slot) VALUES ($1, $2)
		ON CONFLICT (job, slot) DO UPDATE SET started_at = now(), finished_at = NULL, error = NULL
			WHERE job_runs.finished_at IS NULL OR job_runs.error IS NOT NULL
		RETURNING 1`, job, slot).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrap("claim job run", err)
}

// UnfinishedJobSlots lists a job's slots after since whose run was claimed
// and never finished: cut off with its process, unless it is still going
// on (which the job's lock tells).
func (s *Store) UnfinishedJobSlots(ctx context.Context, job string, since time.Time) ([]time.Time, error) {
	var slots []time.Time
	err := sqlx.SelectContext(ctx, s.x, &slots, `
		SELECT slot FROM job_runs WHERE job = $1 AND slot > $2 AND finished_at IS NULL ORDER BY slot`, job, since)
	return slots, wrap("unfinished job slots", err)
}

// ResumeJobRun claims a slot whose run was claimed and never finished, as
// ClaimJobRun does, but not one whose run failed: a failed run is caught
// up at the next start, not at once by another replica. Call it under
// WithJobLock.
func (s *Store) ResumeJobRun(ctx context.Context, job string, slot time.Time) (bool, error) {
	res, err := s.x.ExecContext(ctx, `
		UPDATE job_runs SET started_at = now() WHERE job = $1 AND slot = $2 AND finished_at IS NULL`, job, slot)
	if err != nil {
		return false, wrap("resume job run", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("resume job run", err)
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
// two runs of a job never overlap, across replicas. If another run holds
// the lock, fn is not called and held is false: the caller skips rather
// than waits, as a wait would hold a pooled connection for each tick that
// comes while a long run goes on. The lock lives on one pinned connection,
// as advisory session locks must, and ends with its session.
func (s *Store) WithJobLock(ctx context.Context, job string, fn func() error) (held bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, wrap("job lock connection", err)
	}
	defer conn.Close()
	err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended('job:' || $1, 0))`, job).Scan(&held)
	if err != nil || !held {
		return false, wrap("job lock", err)
	}
	defer func() {
		_, unlockErr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended('job:' || $1, 0))`, job)
		if err == nil && unlockErr != nil {
			err = wrap("job unlock", unlockErr)
		}
	}()
	return true, fn()
}

// PurgeJobRuns deletes the records of slots before the given time. A slot
// is caught up within days of its time (the longest catch-up is three),
// so older records only say what ran, which a month of them tells.
func (s *Store) PurgeJobRuns(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.x.ExecContext(ctx, `DELETE FROM job_runs WHERE slot < $1`, before)
	if err != nil {
		return 0, wrap("purge job runs", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}
