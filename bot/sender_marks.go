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
	queue   []sentMark
	writing bool
}

// sentMark is a delivery to record, with what tells whether recording it
// frees a message that waits behind it in its chat.
type sentMark struct {
	storage.SentMark
	followed bool   // the chat had another message waiting at the claim
	queued   uint64 // the sender's Wake count before the claim
}

// markSent records a delivery, now or as part of the write in progress.
// Should the write fail, the leases expire and the messages go out again:
// at least once, not exactly once.
//
// Once written, a chat's next message is due, so the sender is nudged if
// one may be waiting: one was at the claim, or messages were queued since
// (their Wake came while this one still held the chat). Nudging after
// every write instead cost a claim that found nothing for most of them.
func (s *Sender) markSent(ctx context.Context, mark sentMark) {
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
		marks := make([]storage.SentMark, len(batch))
		for i, b := range batch {
			marks[i] = b.SentMark
		}
		if err := s.store.MarkOutboxSent(ctx, marks...); err != nil {
			s.logger.Error("outbox: recording deliveries failed", "messages", len(batch), "error", err)
		}
		queued := s.queued.Load()
		for _, b := range batch {
			if b.followed || b.queued != queued {
				s.nudge()
				break
			}
		}
		m.mu.Lock()
	}
	m.writing = false
	m.mu.Unlock()
}
