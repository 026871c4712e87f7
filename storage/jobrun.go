package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
)

// JobLock is a job's lock, held by WithJobLock on a connection of its own.
// The job's runs are claimed and finished on that connection: a statement
// there runs only while its session, and so the lock, lives, so a run
// whose lock was lost with its connection (and whose slot another replica
// may have taken since) neither claims nor records anything.
type JobLock struct {
	lead *Lead // the connection, checked as a lead's is
	job  string
}

// jobLockCheck is how often a running job's lock is checked: a job run
// goes on at most about this long after its lock was lost.
const jobLockCheck = time.Second

// WithJobLock runs fn while holding a session advisory lock for the job, so
// two runs of a job never overlap, across replicas. If another run holds
// the lock, fn is not called and held is false: the caller skips rather
// than waits, as a wait would hold a pooled connection for each tick that
// comes while a long run goes on. The lock lives on one pinned connection,
// as advisory session locks must, and ends with its session; fn's context
// ends with ctx or once a check finds the connection may be dead, the lock
// then free for another replica to take.
func (s *Store) WithJobLock(ctx context.Context, job string, fn func(ctx context.Context, lock *JobLock) error) (held bool, err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, wrap("job lock connection", err)
	}
	defer conn.Close()
	err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended('job:' || $1, 0))`, job).Scan(&held)
	if err != nil || !held {
		return false, wrap("job lock", err)
	}
	lock := &JobLock{lead: &Lead{conn: conn, role: "job:" + job}, job: job}
	watched, stop := lock.lead.Watch(ctx, jobLockCheck)
	defer func() {
		if lost := stop(); lost == nil {
			_, unlockErr := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended('job:' || $1, 0))`, job)
			if unlockErr == nil {
				return
			}
			if err == nil {
				err = wrap("job unlock", unlockErr)
			}
		}
		// Closed rather than pooled: were its session alive after all,
		// the lock would go with it instead of staying held by an idle
		// connection.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}()
	return true, fn(watched, lock)
}

// Claim claims a slot of the job, unless a run of it has already
// succeeded: a run that failed, or never finished because its process
// died or its lock was lost, leaves the slot to be claimed again. While
// the lock is held no other run of the job is alive, so an unfinished run
// is a dead one, not one still running elsewhere.
func (l *JobLock) Claim(ctx context.Context, slot time.Time) (bool, error) {
	var one int
	err := l.lead.conn.QueryRowContext(ctx, `
		INSERT INTO job_runs (job, slot) VALUES ($1, $2)
		ON CONFLICT (job, slot) DO UPDATE SET started_at = now(), finished_at = NULL, error = NULL
			WHERE job_runs.finished_at IS NULL OR job_runs.error IS NOT NULL
		RETURNING 1`, l.job, slot).Scan(&one)
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

// Resume claims a slot whose run was claimed and never finished, as Claim
// does, but not one whose run failed: a failed run is caught up at the
// next start, not at once by another replica.
func (l *JobLock) Resume(ctx context.Context, slot time.Time) (bool, error) {
	res, err := l.lead.conn.ExecContext(ctx, `
		UPDATE job_runs SET started_at = now() WHERE job = $1 AND slot = $2 AND finished_at IS NULL`, l.job, slot)
	if err != nil {
		return false, wrap("resume job run", err)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap("resume job run", err)
}

// Finish records the outcome of a run claimed under the lock; it fails
// once the lock's connection is dead.
func (l *JobLock) Finish(ctx context.Context, slot time.Time, runErr error) error {
	var msg sql.NullString
	if runErr != nil {
		msg = sql.NullString{String: runErr.Error(), Valid: true}
	}
	_, err := l.lead.conn.ExecContext(ctx, `
		UPDATE job_runs SET finished_at = now(), error = $3 WHERE job = $1 AND slot = $2`, l.job, slot, msg)
	return wrap("finish job run", err)
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
