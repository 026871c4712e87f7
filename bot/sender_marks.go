package bot

import (
	"context"
	"sync"
	"time"

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
	kind     Kind   // what was delivered
	followed bool   // the chat had another message waiting at the claim
	queued   uint64 // the sender's Wake count before the claim
}

// markSent records a delivery, now or as part of the write in progress.
// A failed write is retried (see writeMarks); should it fail for good, the
// leases expire and the messages go out again: at least once, not exactly
// once.
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
		s.writeMarks(ctx, batch)
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

// markRetryFor bounds the retries of a failed write of marks (and of
// corrections, sender_replaced.go): long enough
// to ride out a dropped connection or a restart of PostgreSQL, short
// enough not to hold up a shutdown much, as it waits for the deliveries
// in flight and so for this write (their context is never cancelled).
const markRetryFor = 10 * time.Second

// writeMarks records a batch of deliveries. The write is idempotent, so a
// failed one is tried again (retryWrite): a mark dropped is a message sent
// twice. Marks queued meanwhile wait for the next write.
func (s *Sender) writeMarks(ctx context.Context, batch []sentMark) {
	marks := make([]storage.SentMark, len(batch))
	for i, b := range batch {
		marks[i] = b.SentMark
	}
	var replaced []storage.SentMark
	s.retryWrite("recording deliveries", len(marks), func() (err error) {
		replaced, err = s.store.MarkOutboxSent(ctx, marks...)
		return err
	})
	for _, r := range replaced {
		s.settleReplaced(ctx, r, batch)
	}
}

// retryWrite runs an idempotent write of n messages' outcomes until it
// succeeds, with backoff, for up to markRetryFor, and reports whether it
// did; what names it in the log.
func (s *Sender) retryWrite(what string, n int, write func() error) bool {
	giveUp := time.Now().Add(markRetryFor)
	for attempt := 0; ; attempt++ {
		err := write()
		if err == nil {
			return true
		}
		wait := Backoff(attempt, 50*time.Millisecond, 2*time.Second)
		if time.Now().Add(wait).After(giveUp) {
			s.logger.Error("outbox: "+what+" failed; they will be sent again", "messages", n, "error", err)
			return false
		}
		s.logger.Warn("outbox: "+what+" failed, will retry", "messages", n, "error", err, "retry_in", wait)
		time.Sleep(wait)
	}
}
