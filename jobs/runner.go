// Package jobs runs danvan's scheduled work (reminders, escalations, digests,
// housekeeping) on cron schedules. Every run claims its slot in PostgreSQL,
// so with several replicas each slot runs once, and a slot missed while the
// service was down, or whose run failed or was cut off, is caught up at
// start; a run cut off by its replica's death is also resumed within a
// minute by any other replica. A slot may thus run again after a failure:
// the jobs are safe to repeat (their messages are deduplicated, their work
// claimed item by item).
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/danvan-vn/danvan/storage"
)

// Job is one kind of scheduled work.
type Job struct {
	Name     string
	Schedule string // standard 5-field cron spec or a descriptor such as @daily
	// CatchUp runs the latest slot at start, if it is not older than
	// this and no run of it has succeeded; 0 disables catch-up.
	CatchUp time.Duration
	// RunAtStart runs a check at start (slot: the current minute) instead
	// of catching up a past slot: right for frequent checks such as
	// escalation, whose work is claimed item by item anyway.
	RunAtStart bool
	Run        func(ctx context.Context, slot time.Time) error
}

// Runner schedules jobs.
type Runner struct {
	store  *storage.Store
	loc    *time.Location
	logger *slog.Logger
	cron   *cron.Cron
	jobs   []scheduled
	wg     sync.WaitGroup
}

type scheduled struct {
	Job
	schedule cron.Schedule
}

// NewRunner makes a runner whose schedules are read in loc.
func NewRunner(store *storage.Store, loc *time.Location, logger *slog.Logger) *Runner {
	return &Runner{store: store, loc: loc, logger: logger}
}

// Add registers a job; an invalid schedule is an error, not a panic.
func (r *Runner) Add(job Job) error {
	sched, err := parseSchedule(job.Schedule)
	if err != nil {
		return fmt.Errorf("jobs: %s: %w", job.Name, err)
	}
	r.jobs = append(r.jobs, scheduled{Job: job, schedule: sched})
	return nil
}

// parseSchedule guards against robfig/cron v3.0.1 panicking on some
// malformed specs (e.g. a bare "CRON_TZ=Asia/Ho_Chi_Minh").
func parseSchedule(spec string) (s cron.Schedule, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("invalid schedule %q", spec)
		}
	}()
	return cron.ParseStandard(spec)
}

// Start catches up missed slots and starts the schedules; jobs run with
// ctx and stop when it is cancelled.
func (r *Runner) Start(ctx context.Context) {
	r.cron = cron.New(cron.WithLocation(r.loc))
	now := time.Now()
	for _, j := range r.jobs {
		switch {
		case j.RunAtStart:
			r.wg.Go(func() { r.RunSlot(ctx, j.Job, now.In(r.loc).Truncate(time.Minute)) })
		case j.CatchUp > 0:
			if slot := previousSlot(j.schedule, now.In(r.loc), j.CatchUp); !slot.IsZero() {
				r.wg.Go(func() { r.RunSlot(ctx, j.Job, slot) })
			}
		}
		r.cron.Schedule(j.schedule, cron.FuncJob(func() { r.tick(ctx, j, time.Now()) }))
	}
	r.cron.Schedule(cron.Every(time.Minute), cron.FuncJob(func() { r.resumeCutOff(ctx, time.Now()) }))
	r.cron.Start()
}

// tick runs, when a job's timer fires at now, the slot it was set for: the
// latest scheduled one, not now's minute, since a timer may fire late (a
// process paused, a machine suspended) and a replica whose timer fired on
// time has run that slot. A slot older than the job's catch-up window is
// left, as at start.
func (r *Runner) tick(ctx context.Context, j scheduled, now time.Time) {
	// To the minute, as slots are: an @every schedule's activations fall
	// on any second.
	slot := latestSlot(j.schedule, now.In(r.loc)).Truncate(time.Minute)
	if slot.IsZero() || j.CatchUp > 0 && now.Sub(slot) > j.CatchUp {
		r.logger.Warn("job skipped: its timer fired too late", "job", j.Name, "slot", slot, "now", now)
		return
	}
	r.RunSlot(ctx, j.Job, slot)
}

// resumeCutOff runs again, for each job that catches up, the slots within
// its catch-up window whose run was cut off: a replica killed mid-run and
// not restarted would otherwise leave them undone, because the other
// replicas tried each slot while that run held the job's lock, and catch
// up only at their start.
func (r *Runner) resumeCutOff(ctx context.Context, now time.Time) {
	for _, j := range r.jobs {
		if j.CatchUp == 0 {
			continue
		}
		slots, err := r.store.UnfinishedJobSlots(ctx, j.Name, now.Add(-j.CatchUp))
		if err != nil {
			r.logger.Error("job bookkeeping failed", "job", j.Name, "error", err)
			continue
		}
		for _, slot := range slots {
			// Claimed only if still unfinished once the lock is held: the
			// run listed may have been alive, and failed since.
			if r.runSlot(ctx, j.Job, slot.In(r.loc), (*storage.JobLock).Resume) {
				r.logger.Warn("job run cut off, run again", "job", j.Name, "slot", slot)
			}
		}
	}
}

// Stop stops scheduling and waits for running jobs to finish.
func (r *Runner) Stop() {
	if r.cron != nil {
		<-r.cron.Stop().Done()
	}
	r.wg.Wait()
}

// RunSlot runs a job for one slot unless a run of it has succeeded or a
// run of the job is going on. It reports whether this call ran the job.
func (r *Runner) RunSlot(ctx context.Context, job Job, slot time.Time) bool {
	return r.runSlot(ctx, job, slot, (*storage.JobLock).Claim)
}

// runSlot runs a job for one slot if claim, under the job's lock, claims it.
func (r *Runner) runSlot(ctx context.Context, job Job, slot time.Time, claim func(*storage.JobLock, context.Context, time.Time) (bool, error)) bool {
	log := r.logger.With("job", job.Name, "slot", slot)
	ran := false
	held, err := r.store.WithJobLock(ctx, job.Name, func(locked context.Context, lock *storage.JobLock) error {
		claimed, err := claim(lock, locked, slot)
		if err != nil || !claimed {
			return err
		}
		ran = true
		start := time.Now()
		runErr := safeRun(locked, job, slot)
		if ctx.Err() == nil && locked.Err() != nil {
			// Its lock lost with its connection: another replica may
			// have taken the slot already, and records its outcome.
			log.Warn("job cut off: its lock was lost", "error", runErr, "duration", time.Since(start))
			return nil
		}
		if runErr != nil && ctx.Err() != nil {
			// Cut off by a shutdown: left unfinished, as if the replica
			// had died, for another replica to run again within a minute
			// (or this one at its next start).
			log.Warn("job cut off by the shutdown", "error", runErr, "duration", time.Since(start))
			return nil
		}
		if runErr != nil {
			log.Error("job failed", "error", runErr, "duration", time.Since(start))
		} else {
			log.Info("job done", "duration", time.Since(start))
		}
		return lock.Finish(context.WithoutCancel(locked), slot, runErr)
	})
	if err != nil {
		log.Error("job bookkeeping failed", "error", err)
	} else if !held {
		// Another replica on the same slot, usually; or this job's
		// previous slot still running, whose work covers this one's.
		log.Debug("job skipped: a run of it is going on")
	}
	return ran
}

func safeRun(ctx context.Context, job Job, slot time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return job.Run(ctx, slot)
}

// latestSlot finds the latest activation of sched at or before now, within
// a year, looking back over longer and longer windows: previousSlot steps
// through every activation in its window.
func latestSlot(sched cron.Schedule, now time.Time) time.Time {
	for _, window := range []time.Duration{time.Hour, 24 * time.Hour, 8 * 24 * time.Hour, 366 * 24 * time.Hour} {
		if slot := previousSlot(sched, now, window); !slot.IsZero() {
			return slot
		}
	}
	return time.Time{}
}

// previousSlot finds the latest activation of sched within window before
// now, or the zero time.
func previousSlot(sched cron.Schedule, now time.Time, window time.Duration) time.Time {
	var last time.Time
	for t := sched.Next(now.Add(-window)); !t.After(now); t = sched.Next(t) {
		last = t
	}
	return last
}
