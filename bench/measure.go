package bench

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// meter collects the run's counters and the latency of every update.
type meter struct {
	mu        sync.Mutex
	latencies []time.Duration
	byStep    map[string][]time.Duration // latencies per kind of step
	lags      []time.Duration            // open loop: push less scheduled arrival
	// answers are the latencies of presses to their callback answers,
	// kept apart: the answer only stops the button's spinner. A press and
	// its answer wait in pressedAt or answeredAt for the other, since the
	// bot may answer before the bench has noted the press, and an answer
	// may come after its presser stopped looking.
	answers    []time.Duration
	pressedAt  map[string]time.Time // query id -> press
	answeredAt map[string]time.Time // query id -> answer

	// presses holds what each press must make the bot send, to find
	// those whose reply never came.
	presses pressLedger

	// trace, when set (by tests), is told which activity each update's
	// latency was counted to; guarded by mu.
	trace func(pushed tg.Pushed, reply tg.Activity)

	updates   atomic.Int64 // updates pushed to the fake on behalf of people
	replied   atomic.Int64 // updates whose reply arrived
	lost      atomic.Int64 // expected replies that never came (timed out)
	flows     atomic.Int64 // flows finished (rated)
	filed     atomic.Int64 // petitions confirmed (the send button pressed)
	outbound  atomic.Int64 // bot activity seen: sends, edits, callback answers
	messages  atomic.Int64 // of which messages sent or edited
	abandoned atomic.Int64 // flows cut short by a lost reply or a failed step
	failed    atomic.Int64 // steps the bench could not take (the fake refused the push)
	repeated  atomic.Int64 // bot messages identical to the previous one in the chat
}

// reset zeroes the meter at the start of the measured phase.
func (m *meter) reset() {
	m.mu.Lock()
	m.latencies, m.byStep, m.lags, m.answers, m.pressedAt, m.answeredAt = nil, nil, nil, nil, nil, nil
	m.mu.Unlock()
	m.presses.reset()
	for _, c := range []*atomic.Int64{&m.updates, &m.replied, &m.lost, &m.flows, &m.filed, &m.outbound, &m.messages, &m.abandoned, &m.failed, &m.repeated} {
		c.Store(0)
	}
}

// counted records the latency of the update pushed, from origin to
// reply, the activity taken for its reply.
func (m *meter) counted(step string, origin time.Time, pushed tg.Pushed, reply tg.Activity) {
	m.observe(step, reply.At.Sub(origin))
	m.mu.Lock()
	trace := m.trace
	m.mu.Unlock()
	if trace != nil {
		trace(pushed, reply)
	}
}

func (m *meter) observe(step string, d time.Duration) {
	m.replied.Add(1)
	m.mu.Lock()
	m.latencies = append(m.latencies, d)
	if m.byStep == nil {
		m.byStep = map[string][]time.Duration{}
	}
	m.byStep[step] = append(m.byStep[step], d)
	m.mu.Unlock()
}

// pressed notes a press pushed at at, to time its callback answer.
func (m *meter) pressed(queryID string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if answered, ok := m.answeredAt[queryID]; ok {
		delete(m.answeredAt, queryID)
		m.answers = append(m.answers, answered.Sub(at))
		return
	}
	if m.pressedAt == nil {
		m.pressedAt = map[string]time.Time{}
	}
	m.pressedAt[queryID] = at
}

// callbackAnswered times the press a callback answer is for.
func (m *meter) callbackAnswered(a tg.Activity) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id := a.Answer.QueryID
	if at, ok := m.pressedAt[id]; ok {
		delete(m.pressedAt, id)
		m.answers = append(m.answers, a.At.Sub(at))
		return
	}
	if m.answeredAt == nil {
		m.answeredAt = map[string]time.Time{}
	}
	m.answeredAt[id] = a.At
}

// callbackAnswers is the latency of presses to their callback answers.
func (m *meter) callbackAnswers() stepLatency {
	m.mu.Lock()
	sorted := slices.Clone(m.answers)
	m.mu.Unlock()
	return latencyOf(sorted)
}

// timing is one update's latency, counted once: to the first message the
// bot sends or edits in reply, what a person waits for (a press's callback
// answer is timed apart: meter.pressed).
type timing struct {
	step   string
	pushed tg.Pushed
	origin time.Time // the push, or an open-loop arrival scheduled before it
	// mine, when set, tells this update's messages from others in the
	// stream (an officer's chat carries many tickets at once).
	mine              func(tg.Activity) bool
	replied, answered bool
}

// take counts a if it is this update's first message, notes it if it is
// the answer to its callback query, and reports whether it was either.
func (t *timing) take(m *meter, a tg.Activity) bool {
	if a.At.Before(t.pushed.At) {
		return false
	}
	switch a.Kind {
	case tg.ActivityAnswer:
		// Answers skip the chat's queue: an earlier press's may come late.
		if t.answered || a.Answer.QueryID != t.pushed.CallbackQueryID {
			return false
		}
		t.answered = true
		return true
	case tg.ActivitySend, tg.ActivityEdit:
		if t.replied || (t.mine != nil && !t.mine(a)) {
			return false
		}
		t.replied = true
		m.counted(t.step, t.origin, t.pushed, a)
		return true
	}
	return false
}

// lag records how late the bench pushed an update the open loop had
// scheduled.
func (m *meter) lag(d time.Duration) {
	m.mu.Lock()
	m.lags = append(m.lags, max(d, 0))
	m.mu.Unlock()
}

// arrivalLag is the 99th percentile and the largest of the lags.
func (m *meter) arrivalLag() (p99, most time.Duration) {
	m.mu.Lock()
	sorted := slices.Clone(m.lags)
	m.mu.Unlock()
	q := quantiles(sorted, 0.99, 1)
	return q[0], q[1]
}

// percentiles returns the given quantiles (0..1) of the latencies.
func (m *meter) percentiles(qs ...float64) []time.Duration {
	m.mu.Lock()
	sorted := slices.Clone(m.latencies)
	m.mu.Unlock()
	return quantiles(sorted, qs...)
}

// stepLatency is the latency of one kind of step.
type stepLatency struct {
	N     int     `json:"n"`
	P50Ms float64 `json:"p50_ms"`
	P99Ms float64 `json:"p99_ms"`
}

// steps breaks the latency down by kind of step.
func (m *meter) steps() map[string]stepLatency {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]stepLatency{}
	for step, ds := range m.byStep {
		out[step] = latencyOf(slices.Clone(ds))
	}
	return out
}

// latencyOf sorts ds and sums them up.
func latencyOf(ds []time.Duration) stepLatency {
	q := quantiles(ds, 0.5, 0.99)
	return stepLatency{N: len(ds), P50Ms: ms(q[0]), P99Ms: ms(q[1])}
}

// quantiles sorts ds and returns the given quantiles (0..1).
func quantiles(sorted []time.Duration, qs ...float64) []time.Duration {
	slices.Sort(sorted)
	out := make([]time.Duration, len(qs))
	if len(sorted) == 0 {
		return out
	}
	for i, q := range qs {
		idx := min(len(sorted)-1, int(q*float64(len(sorted))))
		out[i] = sorted[idx]
	}
	return out
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
