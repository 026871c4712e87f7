package bench

import (
	"context"
	"sync"
	"time"
)

// backlogSampler reads, every second, how many calls the bot has made
// that its global limit of 30 per second counts (sends, edits and button
// answers: Telegram does not document whether answers count, so the bot
// counts them) and how many messages wait in the outbox, so that the
// sending rate can be measured where it is the bottleneck: while messages
// wait all along.
type backlogSampler struct {
	mu      sync.Mutex
	samples []backlogSample
}

type backlogSample struct {
	at       time.Time
	outbound int64
	waiting  int64
}

// sampleBacklog samples until ctx ends.
func sampleBacklog(ctx context.Context, db *database, m *meter, interval time.Duration) *backlogSampler {
	s := &backlogSampler{}
	go every(ctx, interval, func() {
		sent := m.outbound.Load()
		waiting, err := db.outboxWaiting(ctx)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.samples = append(s.samples, backlogSample{at: time.Now(), outbound: sent, waiting: waiting})
		s.mu.Unlock()
	})
	return s
}

// sustained is the outbound rate over the longest stretch of samples in
// which messages were waiting at every sample, and that stretch's length;
// zero when messages never waited for five seconds in a row.
func (s *backlogSampler) sustained() (perSecond, seconds float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from, to := -1, -1 // the longest stretch so far
	start := -1        // the current stretch
	for i, cur := range s.samples {
		switch {
		case cur.waiting == 0:
			start = -1
		case start < 0:
			start = i
		}
		if start >= 0 && (from < 0 || cur.at.Sub(s.samples[start].at) > s.samples[to].at.Sub(s.samples[from].at)) {
			from, to = start, i
		}
	}
	if from < 0 {
		return 0, 0
	}
	span := s.samples[to].at.Sub(s.samples[from].at).Seconds()
	if span < 5 {
		return 0, 0
	}
	return float64(s.samples[to].outbound-s.samples[from].outbound) / span, span
}
