package bench

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// pollTap stands in front of the fake Bot API and watches getUpdates.
// Every replica calls the fake under a path of its own (callerPath), which
// the tap strips, so it knows whose call each is: the fake itself sees one
// token, as Telegram does. Telegram answers one getUpdates at a time (a
// second call ends the first with 409 Conflict), so polling replicas elect
// one poller; the tap counts the 409s and notes each change of poller.
type pollTap struct {
	next      http.Handler
	conflicts atomic.Int64 // getUpdates answered 409

	mu      sync.Mutex
	answers map[int]int64 // replica -> getUpdates answered 200
	turns   []pollTurn
}

// pollTurn is a replica's getUpdates answered when the one before had been
// answered for another replica (or was the first): a new poller.
type pollTurn struct {
	replica int
	// at is when the call was made, not answered: a long poll is answered
	// only when an update comes, which may be long after the new poller
	// was ready (people waiting for replies the killed replica's sender
	// lease holds send nothing meanwhile).
	at time.Time
}

func newPollTap(next http.Handler) *pollTap {
	return &pollTap{next: next, answers: map[int]int64{}}
}

// callerPath is the path under which replica i calls the Bot API.
func callerPath(i int) string { return fmt.Sprintf("/replica-%d", i) }

func (t *pollTap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	caller, h := -1, t.next
	if rest, ok := strings.CutPrefix(r.URL.Path, "/replica-"); ok {
		n, _, _ := strings.Cut(rest, "/")
		if i, err := strconv.Atoi(n); err == nil {
			caller, h = i, http.StripPrefix(callerPath(i), h)
		}
	}
	if !strings.EqualFold(path.Base(r.URL.Path), "getUpdates") {
		h.ServeHTTP(w, r)
		return
	}
	called := time.Now()
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h.ServeHTTP(sw, r)
	switch sw.status {
	case http.StatusConflict:
		t.conflicts.Add(1)
	case http.StatusOK:
		t.mu.Lock()
		t.answers[caller]++
		if n := len(t.turns); n == 0 || t.turns[n-1].replica != caller {
			t.turns = append(t.turns, pollTurn{replica: caller, at: called})
		}
		t.mu.Unlock()
	}
}

// poller is the replica whose getUpdates was answered last, -1 if none was.
func (t *pollTap) poller() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.turns) == 0 {
		return -1
	}
	return t.turns[len(t.turns)-1].replica
}

// takeover waits until ctx ends for the first getUpdates made after since
// by a replica other than from, and answered.
func (t *pollTap) takeover(ctx context.Context, since time.Time, from int) (pollTurn, error) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		t.mu.Lock()
		for _, turn := range t.turns {
			if turn.replica != from && turn.at.After(since) {
				t.mu.Unlock()
				return turn, nil
			}
		}
		t.mu.Unlock()
		select {
		case <-tick.C:
		case <-ctx.Done():
			return pollTurn{}, fmt.Errorf("no other replica's getUpdates was answered: %w", ctx.Err())
		}
	}
}

// answered is how many getUpdates calls were answered 200 for each replica.
func (t *pollTap) answered() map[int]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.answers)
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
