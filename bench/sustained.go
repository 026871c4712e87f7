package bench

import (
	"context"
	"sync"
	"time"
)

// backlogSampler reads, every second, how many calls the bot has made
// that its global limit of 30 per second counts (sends, edits and button
// answers: Telegram does not document whether answers count, so the bot
// counts them), how many messages wait in the outbox and how many updates
// wait to be handled. The sending rate can so be measured where it is the
// bottleneck, while messages wait all along, and whether intake kept
// flowing meanwhile.
type backlogSampler struct {
	mu      sync.Mutex
	samples []backlogSample
	// updatesMax is the most updates seen waiting to be handled: small
	// while messages wait means intake kept flowing.
	updatesMax int64
}

// inboxMax is the most updates seen waiting to be handled at a sample.
func (s *backlogSampler) inboxMax() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.updatesMax
}

type backlogSample struct {
	at       time.Time
	outbound int64 // sends, edits and callback answers so far
	messages int64 // sends and edits so far: the messages among them
	waiting  bool  // messages waited to be sent
}

// sampleBacklog samples until ctx ends.
func sampleBacklog(ctx context.Context, db *database, m *meter, interval time.Duration) *backlogSampler {
	s := &backlogSampler{}
	go every(ctx, interval, func() {
		// The counts and the time read together: the query after them
		// takes a varying while.
		at, sent, messages := time.Now(), m.outbound.Load(), m.messages.Load()
		waiting, updates, err := db.waiting(ctx)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.samples = append(s.samples, backlogSample{at: at, outbound: sent, messages: messages, waiting: waiting})
		s.updatesMax = max(s.updatesMax, updates)
		s.mu.Unlock()
	})
	return s
}

// sustainedWindow is how long a rate must hold to count as sustained.
const sustainedWindow = 30 * time.Second

// sustained is the best outbound rate held over sustainedWindow while
// messages waited at every sample (the longest such stretch may be longer:
// at its end only a few chats, each at its own 1 per second, may have
// messages left), and the length of the longest stretch; zero when
// messages never waited for a whole window.
func (s *backlogSampler) sustained() (perSecond, busy float64) {
	return s.sustainedOf(func(b backlogSample) int64 { return b.outbound })
}

// sustainedMessages is sustained counting only messages sent and edited,
// not callback answers: Telegram documents its 30 per second for
// messages and says nothing of answers, which the bot counts as well.
func (s *backlogSampler) sustainedMessages() float64 {
	perSecond, _ := s.sustainedOf(func(b backlogSample) int64 { return b.messages })
	return perSecond
}

func (s *backlogSampler) sustainedOf(count func(backlogSample) int64) (perSecond, busy float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := -1 // the current stretch of samples with messages waiting
	for i, cur := range s.samples {
		if !cur.waiting {
			start = -1
			continue
		}
		if start < 0 {
			start = i
		}
		busy = max(busy, cur.at.Sub(s.samples[start].at).Seconds())
		// The window ending here, if it fits in the stretch.
		for j := start; j < i; j++ {
			span := cur.at.Sub(s.samples[j].at)
			if span < sustainedWindow {
				break
			}
			if span < sustainedWindow+2*time.Second { // a sample may come late
				perSecond = max(perSecond, float64(count(cur)-count(s.samples[j]))/span.Seconds())
			}
		}
	}
	return perSecond, busy
}
