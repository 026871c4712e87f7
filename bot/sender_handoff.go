package bot

import (
	"context"
	"sync"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// handoffs holds messages handed over by this process's transactions
// (see storage.Handoff) until the sending loop starts them. They are
// leased to this process already, so nothing else sends them; should it
// die first, their leases expire and they are claimed as usual.
type handoffs struct {
	mu        sync.Mutex
	accepting bool        // this sender is leading and its loop running
	runs      []handedRun // one per chat (or answer), in queued order
	ready     chan struct{}
}

// handedRun is what one delivery slot sends in order: a chat's handed-over
// messages, or one answer. Past its deadline, half its lease, a message
// still waiting is released to be claimed instead: while the lease is
// surely ours, so it cannot be sent twice.
type handedRun struct {
	msgs     []storage.OutboxMessage
	deadline time.Time
}

// HandOff returns a Handoff for a transaction that queues messages, or
// nil when the sender should claim them: when this process is not the
// one sending, or already holds as many handed-over deliveries as it has
// slots (a backlog is better kept in the database).
func (s *Sender) HandOff() *storage.Handoff {
	h := &s.handed
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.accepting || len(h.runs) >= s.opts.Concurrency {
		return nil
	}
	return &storage.Handoff{Channel: s.m.Channel(), Lease: s.opts.Lease, AnswerLease: 2 * answerTimeout, Made: time.Now()}
}

// Queued is told, after a transaction commits, of the Handoff it queued
// through (nil when none): the leased messages are started at once and
// the others claimed. It never blocks on a delivery.
func (s *Sender) Queued(hand *storage.Handoff) {
	if hand == nil || hand.Unleased() > 0 {
		s.Wake()
	}
	if hand == nil || len(hand.Messages()) == 0 {
		return
	}
	runs := chatRuns(hand, hand.Messages())
	h := &s.handed
	h.mu.Lock()
	if !h.accepting {
		// The sending loop stopped since the Handoff was given out:
		// free the messages for whoever sends now.
		h.mu.Unlock()
		s.release(context.Background(), hand.Messages())
		s.Wake()
		return
	}
	h.runs = append(h.runs, runs...)
	h.mu.Unlock()
	select {
	case h.ready <- struct{}{}:
	default:
	}
}

// chatRuns groups a Handoff's messages into runs: each chat's messages
// together, each answer alone.
func chatRuns(hand *storage.Handoff, msgs []storage.OutboxMessage) []handedRun {
	var runs []handedRun
	byChat := make(map[string]int)
	for _, m := range msgs {
		if m.Kind == string(KindAnswer) {
			runs = append(runs, handedRun{msgs: []storage.OutboxMessage{m}, deadline: hand.Made.Add(hand.AnswerLease / 2)})
			continue
		}
		if i, ok := byChat[m.ChatID]; ok {
			runs[i].msgs = append(runs[i].msgs, m)
			continue
		}
		byChat[m.ChatID] = len(runs)
		runs = append(runs, handedRun{msgs: []storage.OutboxMessage{m}, deadline: hand.Made.Add(hand.Lease / 2)})
	}
	return runs
}

// take removes up to n runs for the sending loop, and those past their
// deadline (stale) for it to release.
func (h *handoffs) take(n int, now time.Time) (runs []handedRun, stale []storage.OutboxMessage) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for len(h.runs) > 0 && len(runs) < n {
		run := h.runs[0]
		h.runs = h.runs[1:]
		if now.After(run.deadline) {
			stale = append(stale, run.msgs...)
			continue
		}
		runs = append(runs, run)
	}
	return runs, stale
}

// open starts accepting handed-over messages; close stops, returning
// those not started.
func (h *handoffs) open() {
	h.mu.Lock()
	h.accepting = true
	h.mu.Unlock()
}

func (h *handoffs) close() []storage.OutboxMessage {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.accepting = false
	left := messagesOf(h.runs)
	h.runs = nil
	return left
}

func messagesOf(runs []handedRun) []storage.OutboxMessage {
	var msgs []storage.OutboxMessage
	for _, run := range runs {
		msgs = append(msgs, run.msgs...)
	}
	return msgs
}

// deliverRun delivers a chat's messages one after another. The first has
// passed the limits already; each later one waits its turn there. When
// one is not delivered, or the run's deadline has passed, the rest are
// released to wait in the database.
func (s *Sender) deliverRun(ctx context.Context, run handedRun) {
	for i, msg := range run.msgs {
		if i > 0 && (time.Now().After(run.deadline) || !s.admitNext(ctx, msg)) {
			s.release(ctx, run.msgs[i:])
			s.Wake()
			return
		}
		if !s.deliver(ctx, msg) {
			s.release(ctx, run.msgs[i+1:])
			s.Wake()
			return
		}
	}
}

// admitNext takes the global and the chat's tokens for a run's next
// message, or reports that the chat must wait (the caller releases it).
func (s *Sender) admitNext(ctx context.Context, msg storage.OutboxMessage) bool {
	if err := s.limits.waitGlobal(ctx); err != nil {
		return false
	}
	now := time.Now()
	return s.limits.delay(msg.ChatID, msg.Group, now) == 0 && s.limits.take(msg.ChatID, msg.Group, now)
}
