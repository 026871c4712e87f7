package bench

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// meter collects the run's counters and the latency of every update.
type meter struct {
	mu        sync.Mutex
	latencies []time.Duration

	updates   atomic.Int64 // updates pushed to the fake on behalf of people
	replied   atomic.Int64 // updates whose reply arrived
	lost      atomic.Int64 // expected replies that never came (timed out)
	flows     atomic.Int64 // flows finished (rated)
	filed     atomic.Int64 // petitions confirmed (the send button pressed)
	outbound  atomic.Int64 // bot activity seen: sends, edits, callback answers
	abandoned atomic.Int64 // flows cut short by a lost reply
}

func (m *meter) observe(d time.Duration) {
	m.replied.Add(1)
	m.mu.Lock()
	m.latencies = append(m.latencies, d)
	m.mu.Unlock()
}

// percentiles returns the given quantiles (0..1) of the latencies.
func (m *meter) percentiles(qs ...float64) []time.Duration {
	m.mu.Lock()
	sorted := slices.Clone(m.latencies)
	m.mu.Unlock()
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
