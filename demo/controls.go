package demo

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/danvan-vn/danvan/jobs"
)

// The sandbox controls: moving the clock and running the scheduled jobs
// for the new time, and sending the weekly digest now.

// Jobs the clock control runs after moving time; the digest has its own.
var (
	clockJobs = []string{"escalations", "rating-follow-up", "reminders"}
	digestJob = "weekly-digest"
)

func (s *server) job(name string) (jobs.Job, bool) {
	for _, j := range s.running.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return jobs.Job{}, false
}

type jobsResult struct {
	Now time.Time `json:"now"`
	Ran []string  `json:"ran"`
}

// advance moves the clock ahead by working days and runs, for the new
// time, the jobs that act on deadlines. Their slot is the new minute, so
// every advance is a new run.
func (s *server) advance(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Workdays int `json:"workdays"`
	}
	if err := readJSON(r, &body); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	if body.Workdays < 1 || body.Workdays > 60 {
		writeError(w, http.StatusBadRequest, errors.New("workdays must be 1 to 60"))
		return
	}
	// The jobs finish even if the page goes away: they commit as a whole.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
	defer cancel()
	s.timeMu.Lock()
	defer s.timeMu.Unlock()
	cal, err := s.running.Store.Calendar(ctx)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	now, err := s.clock.Advance(cal, body.Workdays)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	s.logger.Info("sandbox clock advanced", "workdays", body.Workdays, "now", now)
	writeJSON(w, http.StatusOK, s.runJobs(ctx, now, clockJobs...))
}

// digest sends this week's digests now.
func (s *server) digest(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.job(digestJob); !ok {
		writeError(w, http.StatusNotFound, errors.New("this build has no weekly digest"))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), time.Minute)
	defer cancel()
	s.timeMu.Lock()
	defer s.timeMu.Unlock()
	writeJSON(w, http.StatusOK, s.runJobs(ctx, s.clock.Now(), digestJob))
}

func (s *server) runJobs(ctx context.Context, now time.Time, names ...string) jobsResult {
	res := jobsResult{Now: now, Ran: []string{}}
	slot := now.Truncate(time.Minute)
	for _, name := range names {
		if job, ok := s.job(name); ok && s.runSoon(ctx, job, slot) {
			res.Ran = append(res.Ran, name)
		}
	}
	s.running.Wake() // deliver what the jobs queued now, not at the next tick
	s.changes.bump()
	return res
}

// runSoon runs a job's slot, waiting a moment while the job's scheduled
// run holds it: a run that finds its job running elsewhere skips, but the
// person who pressed the button expects it to run. A slot already done
// (the digest pressed twice in a minute) stays not run after the wait.
func (s *server) runSoon(ctx context.Context, job jobs.Job, slot time.Time) bool {
	for wait := time.Now().Add(2 * time.Second); ; {
		if s.running.RunJob(ctx, job, slot) {
			return true
		}
		if time.Now().After(wait) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}
