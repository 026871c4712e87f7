package bot

import (
	"context"
	"sync"

	"github.com/danvan-vn/danvan/storage"
)

// sentMarks records deliveries in batches. When many messages go out at
// once, recording each in its own transaction would cost a durable commit
// per message; instead, a delivery that finishes while a write is in
// progress only queues its mark, and the writer records everything queued
// before it returns. A lone delivery is written at once, so nothing waits
// for a batch to fill.
type sentMarks struct {
	mu      sync.Mutex
	queue   []storage.SentMark
	writing bool
}

// markSent records a delivery, now or as part of the write in progress.
// Should the write fail, the leases expire and the messages go out again:
// at least once, not exactly once.
func (s *Sender) markSent(ctx context.Context, mark storage.SentMark) {
	m := &s.marks
	m.mu.Lock()
	m.queue = append(m.queue, mark)
	if m.writing {
		m.mu.Unlock()
		return
	}
	m.writing = true
	for len(m.queue) > 0 {
		batch := m.queue
		m.queue = nil
		m.mu.Unlock()
		if err := s.store.MarkOutboxSent(ctx, batch...); err != nil {
			s.logger.Error("outbox: recording deliveries failed", "messages", len(batch), "error", err)
		}
		s.Wake() // the chats' next messages are due now
		m.mu.Lock()
	}
	m.writing = false
	m.mu.Unlock()
}
