package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/danvan-vn/danvan/storage"
)

// SenderOptions tune a Sender. Zero values take the defaults, which are
// Telegram's documented limits.
type SenderOptions struct {
	GlobalRate  rate.Limit // the messenger's limit over all chats (the sender keeps 1.5% below); default 30/s
	GlobalBurst int        // default 5: well inside the messenger's bucket, whatever the network does to the spacing
	ChatRate    rate.Limit // messages per second to one private chat; default 1
	ChatBurst   int        // default 3: short bursts are tolerated
	GroupRate   rate.Limit // messages per second to one group; default 17 per minute, so with the burst at most 20 in any minute
	GroupBurst  int        // default 3, for a card and its photos

	Concurrency     int           // deliveries in flight; default 32, so slow calls do not hold up the rest
	Poll            time.Duration // how often to look for due messages without a Wake; default 500ms
	StandbyPoll     time.Duration // how often a standby sender tries to take over; default 1s
	Lease           time.Duration // how long a claimed message is ours; default 1 minute
	DeliveryTimeout time.Duration // one delivery attempt; default 30s (uploads take time)
	RetryBase       time.Duration // first wait after a temporary failure; default 1s
	RetryMax        time.Duration // longest wait between attempts; default 5 minutes
}

func (o SenderOptions) withDefaults() SenderOptions {
	setRate := func(r *rate.Limit, def rate.Limit) {
		if *r <= 0 {
			*r = def
		}
	}
	setInt := func(n *int, def int) {
		if *n <= 0 {
			*n = def
		}
	}
	setDuration := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	setRate(&o.GlobalRate, 30)
	setInt(&o.GlobalBurst, 5)
	setRate(&o.ChatRate, 1)
	setInt(&o.ChatBurst, 3)
	setRate(&o.GroupRate, rate.Every(time.Minute/17))
	setInt(&o.GroupBurst, 3)
	setInt(&o.Concurrency, 32)
	setDuration(&o.Poll, 500*time.Millisecond)
	setDuration(&o.StandbyPoll, time.Second)
	setDuration(&o.Lease, time.Minute)
	setDuration(&o.DeliveryTimeout, 30*time.Second)
	setDuration(&o.RetryBase, time.Second)
	setDuration(&o.RetryMax, 5*time.Minute)
	// A lease shorter than a delivery would hand the message to another
	// sender while this one is still sending it.
	o.Lease = max(o.Lease, 2*o.DeliveryTimeout)
	return o
}

// answerTimeout bounds one attempt to answer a button press. Telegram lets
// a press be answered for only about 15 seconds, so an attempt must be
// short and a lost one retried soon (its lease is twice this).
const answerTimeout = 3 * time.Second

// messageTimeout bounds an attempt that uploads nothing. Telegram answers
// such calls in well under a second; waiting longer for a stuck one only
// holds a delivery slot that other chats need.
const messageTimeout = 5 * time.Second

// SenderStats counts delivery outcomes since the sender was created.
type SenderStats struct {
	Sent     int64 // delivered
	Retried  int64 // temporary failures, to be tried again
	Deferred int64 // flood control: the chat waits for the messenger's retry_after
	Failed   int64 // given up for good (refused, or the person is unreachable)
}

// Sender drains the outbox of one messenger: it claims due messages,
// keeps within the messenger's rate limits, delivers several at once and
// records each outcome. Messages are never dropped: temporary failures
// are retried until they succeed. A chat that must wait (rate limit,
// flood control, retries) never holds up the others.
type Sender struct {
	store  *storage.Store
	m      Messenger
	logger *slog.Logger
	opts   SenderOptions
	limits *limits
	wake   chan struct{}
	// queued counts Wake calls, so a delivery can tell whether messages
	// were queued while it was in flight (perhaps behind it, in its chat).
	queued atomic.Uint64
	marks  sentMarks
	// afterChat is where the claims' round of chats goes on; only the
	// sending loop uses it, and lastRelease (sender_scheduled.go).
	afterChat   string
	lastRelease time.Time

	sent, retried, deferred, failed atomic.Int64
	leading                         atomic.Bool

	// What Idle needs: the deliveries in flight, the latest claim, and
	// when the messages this sender put back (postponed, to be retried,
	// or in a chat told to wait) come due again.
	inflight atomic.Int64
	dueMu    sync.Mutex
	claimed  claimRecord
	dues     map[int64]time.Time // outbox id -> due again
}

// claimRecord describes the latest claim of the outbox.
type claimRecord struct {
	queued uint64    // the Wake count before it
	at     time.Time // when it began: what was due then, it found
	found  int
}

// NewSender builds a sender for m's channel.
func NewSender(store *storage.Store, m Messenger, logger *slog.Logger, opts SenderOptions) *Sender {
	opts = opts.withDefaults()
	if logger == nil {
		logger = slog.Default()
	}
	return &Sender{
		store:  store,
		m:      m,
		logger: logger.With("channel", m.Channel()),
		opts:   opts,
		limits: newLimits(opts),
		wake:   make(chan struct{}, 1),
		dues:   map[int64]time.Time{},
	}
}

// Wake tells the sender that messages were queued; call it after the
// transaction that queued them commits. It never blocks.
func (s *Sender) Wake() {
	s.queued.Add(1)
	s.nudge()
}

// nudge has the sender look for due messages.
func (s *Sender) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Stats returns the outcome counters.
func (s *Sender) Stats() SenderStats {
	return SenderStats{Sent: s.sent.Load(), Retried: s.retried.Load(), Deferred: s.deferred.Load(), Failed: s.failed.Load()}
}

// Run delivers messages until ctx is cancelled, then waits for the
// deliveries in flight so their outcomes are recorded.
//
// Only one sender of a channel delivers at a time, across all replicas:
// the messenger's rate limits and flood-control waits are per bot, and
// one process can keep them. The others stand by and take over within
// StandbyPoll when it stops or dies.
func (s *Sender) Run(ctx context.Context) error {
	return WhileLeading(ctx, s.store, "sender:"+s.m.Channel(), s.opts.StandbyPoll, s.logger,
		func(ctx context.Context, lead *storage.Lead) error {
			s.leading.Store(true)
			s.deliverWhileLeading(ctx, lead)
			s.leading.Store(false)
			return nil
		})
}

// Leading reports whether this sender is the one delivering.
func (s *Sender) Leading() bool { return s.leading.Load() }

// Idle reports whether this sender, leading, has nothing to deliver before
// by: no delivery is in flight, its latest claim, made after the latest
// Wake, found nothing, and no message it put back comes due before by. A
// shutdown's flush stops then rather than wait for a chat that must wait
// longer (a retry_after, a retry's backoff).
func (s *Sender) Idle(by time.Time) bool {
	if !s.leading.Load() || s.inflight.Load() > 0 {
		return false
	}
	s.dueMu.Lock()
	defer s.dueMu.Unlock()
	c := s.claimed
	if c.at.IsZero() || c.found > 0 || c.queued != s.queued.Load() {
		return false
	}
	for id, due := range s.dues {
		switch {
		case !due.After(c.at):
			delete(s.dues, id) // the claim would have found it
		case due.Before(by):
			return false
		}
	}
	return true
}

// noteDue remembers when a message put back comes due again.
func (s *Sender) noteDue(id int64, due time.Time) {
	s.dueMu.Lock()
	s.dues[id] = due
	s.dueMu.Unlock()
}

// forgetDues drops what came due before t.
func (s *Sender) forgetDues(t time.Time) {
	s.dueMu.Lock()
	defer s.dueMu.Unlock()
	for id, due := range s.dues {
		if due.Before(t) {
			delete(s.dues, id)
		}
	}
}

// deliverWhileLeading delivers until ctx is cancelled or the lead is lost,
// then waits for the deliveries in flight.
func (s *Sender) deliverWhileLeading(ctx context.Context, lead *storage.Lead) {
	var deliveries sync.WaitGroup
	defer deliveries.Wait()
	slots := make(chan struct{}, s.opts.Concurrency)
	var (
		next      time.Time // when the earliest postponed message is due
		failures  int       // consecutive database failures
		lastSweep = time.Now()
		lastCheck = time.Now()
	)
	for {
		full, due, err := s.round(ctx, slots, &deliveries)
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		if now.Sub(lastCheck) > s.opts.StandbyPoll {
			if err := lead.Check(ctx); err != nil {
				s.logger.Warn("outbox: the sender role may be lost; standing by", "error", err)
				return
			}
			lastCheck = now
		}
		if !due.IsZero() && (!next.After(now) || due.Before(next)) {
			next = due
		}
		if now.Sub(lastSweep) > time.Minute {
			s.limits.sweep(now)
			s.forgetDues(now)
			lastSweep = now
		}
		wait := min(s.opts.Poll, s.opts.StandbyPoll)
		switch {
		case err != nil:
			wait = Backoff(failures, 200*time.Millisecond, 30*time.Second)
			failures++
			s.logger.Warn("outbox: claim failed", "error", err, "retry_in", wait)
		case full:
			failures = 0
			continue // there may be more
		default:
			failures = 0
			if next.After(now) {
				wait = min(wait, next.Sub(now))
			}
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-s.wake:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// round claims as many due messages as there are free delivery slots and
// starts their deliveries, or postpones those whose chat must wait. It
// returns whether it got as many as it asked for (more may be due) and the
// earliest time a postponed one is due. Having got fewer, the sender waits
// for a Wake: whatever is queued or freed after the claim brings one, so
// looking again at once would find nothing (and cost a statement).
func (s *Sender) round(ctx context.Context, slots chan struct{}, deliveries *sync.WaitGroup) (full bool, due time.Time, err error) {
	// Wait for one free slot, then take every other free one.
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return false, due, nil
	}
	held := 1
more:
	for held < cap(slots) {
		select {
		case slots <- struct{}{}:
			held++
		default:
			break more
		}
	}
	defer func() {
		for range held {
			<-slots
		}
	}()

	s.releaseScheduled(ctx)
	queued, began := s.queued.Load(), time.Now()
	msgs, next, err := s.store.ClaimOutbox(ctx, storage.OutboxClaim{
		Channel: s.m.Channel(), Limit: held, Lease: s.opts.Lease, AnswerLease: 2 * answerTimeout, AfterChat: s.afterChat,
	})
	s.afterChat = next
	if err != nil {
		return false, due, err
	}
	s.dueMu.Lock()
	s.claimed = claimRecord{queued: queued, at: began, found: len(msgs)}
	s.dueMu.Unlock()
	full = len(msgs) == held
	// A postponed message brings no Wake: come back when it is due.
	postpone := func(msg storage.OutboxMessage, until time.Time) {
		s.postpone(ctx, msg, until)
		if due.IsZero() || until.Before(due) {
			due = until
		}
	}
	for i, msg := range msgs {
		if ctx.Err() != nil {
			s.release(ctx, msgs[i:])
			break
		}
		// Answers are not messages in the chat: they skip its bucket and
		// its penalties, but not the global bucket.
		answer := msg.Kind == string(KindAnswer)
		if !answer {
			now := time.Now()
			if wait := s.limits.delay(msg.ChatID, msg.Group, now); wait > 0 {
				postpone(msg, now.Add(wait))
				continue
			}
		}
		// The chat's token is taken only after the global wait, right
		// before sending, so the messenger sees our spacing.
		if err := s.limits.waitGlobal(ctx); err != nil {
			s.release(ctx, msgs[i:])
			break
		}
		if !answer && !s.limits.take(msg.ChatID, msg.Group, time.Now()) {
			postpone(msg, time.Now().Add(limiterSlack))
			continue
		}
		held-- // the delivery gives the slot back
		s.inflight.Add(1)
		deliveries.Go(func() {
			defer func() { <-slots }()
			defer s.inflight.Add(-1)
			s.deliver(context.WithoutCancel(ctx), msg, queued)
		})
	}
	return full, due, nil
}

// postpone puts a message back until its chat may receive it, without
// counting an attempt.
func (s *Sender) postpone(ctx context.Context, msg storage.OutboxMessage, until time.Time) {
	s.noteDue(msg.ID, until)
	if err := s.store.PostponeOutbox(context.WithoutCancel(ctx), msg.ID, until); err != nil {
		s.logger.Warn("outbox: postpone failed; the lease will expire", "outbox_id", msg.ID, "error", err)
	}
}

// release gives back messages claimed but not sent because we are
// stopping, so another sender need not wait for their leases.
func (s *Sender) release(ctx context.Context, msgs []storage.OutboxMessage) {
	for _, msg := range msgs {
		s.postpone(ctx, msg, time.Now())
	}
}

// deliver makes one delivery attempt and records its outcome. ctx is not
// cancelled on shutdown: an attempt that has started is finished and
// recorded, or it would be sent twice. queued is the Wake count read
// before msg was claimed.
func (s *Sender) deliver(ctx context.Context, msg storage.OutboxMessage, queued uint64) {
	var out Outgoing
	if err := json.Unmarshal(msg.Payload, &out); err != nil {
		s.fail(ctx, msg, &DeliveryError{Permanent: true, Description: "undecodable outbox payload: " + err.Error()})
		return
	}
	if out.ChatID == "" {
		out.ChatID, out.Group = msg.ChatID, msg.Group
	}
	timeout := s.opts.DeliveryTimeout
	switch out.Kind {
	case KindAnswer:
		timeout = min(timeout, answerTimeout)
	case KindDocument: // may upload a file
	default:
		timeout = min(timeout, messageTimeout)
	}
	attemptCtx, cancel := context.WithTimeout(ctx, timeout)
	delivered, err := s.m.Deliver(attemptCtx, out)
	cancel()
	if err == nil {
		s.sent.Add(1)
		s.markSent(ctx, sentMark{SentMark: storage.SentMark{ID: msg.ID, MessageID: delivered.MessageID, ChatID: delivered.ChatID,
			Revision: msg.Revision},
			kind: out.Kind, followed: msg.Followed, queued: queued})
		return
	}
	de := AsDeliveryError(err)
	switch {
	case de.RetryAfter > 0:
		s.floodControlled(ctx, msg, de)
	case de.Unreachable:
		// Mark first: should the process die in between, the message is
		// tried again and refused again, rather than the mark lost.
		if err := s.store.MarkChatUnreachable(ctx, s.m.Channel(), msg.ChatID); err != nil {
			s.logger.Error("outbox: marking a chat unreachable failed", "outbox_id", msg.ID, "error", err)
		}
		s.fail(ctx, msg, de)
	case de.Permanent && out.Kind == KindAnswer && out.Alert:
		s.answerByMessage(ctx, msg, out, de)
	case de.Permanent:
		s.fail(ctx, msg, de)
	default:
		s.retry(ctx, msg, de)
	}
}

// floodControlled obeys a retry_after: nothing goes to the chat before it
// has passed, neither from the database nor from this process.
func (s *Sender) floodControlled(ctx context.Context, msg storage.OutboxMessage, de *DeliveryError) {
	s.deferred.Add(1)
	until := time.Now().Add(de.RetryAfter)
	s.noteDue(msg.ID, until)
	s.logger.Info("outbox: flood control", "outbox_id", msg.ID, "kind", msg.Kind, "retry_after", de.RetryAfter)
	var err error
	if msg.Kind == string(KindAnswer) {
		err = s.store.PostponeOutbox(ctx, msg.ID, until)
	} else {
		s.limits.park(msg.ChatID, until)
		err = s.store.DeferChat(ctx, s.m.Channel(), msg.ChatID, de.RetryAfter)
	}
	if err != nil {
		s.logger.Error("outbox: deferring a chat failed", "outbox_id", msg.ID, "error", err)
	}
}

func (s *Sender) fail(ctx context.Context, msg storage.OutboxMessage, de *DeliveryError) {
	s.failed.Add(1)
	s.logger.Warn("outbox: message refused", "outbox_id", msg.ID, "kind", msg.Kind,
		"unreachable", de.Unreachable, "description", de.Description)
	if _, err := s.store.FailOutbox(ctx, msg.ID, msg.Revision, de.Error()); err != nil {
		s.logger.Error("outbox: recording a failure failed", "outbox_id", msg.ID, "error", err)
	}
	s.nudge() // the chat's next message is due now
}

// answerByMessage handles an alert (a dialog, such as "this ticket was
// closed") that Telegram refused, usually because it came after the press
// expired (15 s): its text is queued as a message to the chat instead, so
// what it said still reaches the person. Toasts are not: they confirm
// what the edited message shows anyway and vanish within seconds.
func (s *Sender) answerByMessage(ctx context.Context, msg storage.OutboxMessage, out Outgoing, de *DeliveryError) {
	s.failed.Add(1)
	s.logger.Warn("outbox: button answer refused; its text goes as a message",
		"outbox_id", msg.ID, "description", de.Description)
	payload, err := json.Marshal(Outgoing{Kind: KindText, ChatID: out.ChatID, Group: out.Group, Text: Escape(out.Text)})
	if err == nil {
		err = s.store.FailOutboxInstead(ctx, msg.ID, msg.Revision, de.Error(), s.m.Channel(), storage.OutboxEntry{
			ChatID: msg.ChatID, Group: msg.Group, Kind: string(KindText), Payload: payload,
			DedupeKey: fmt.Sprintf("answer:%d", msg.ID),
		})
	}
	if err != nil {
		s.logger.Error("outbox: recording a refused answer failed", "outbox_id", msg.ID, "error", err)
	}
	s.Wake() // a message was queued: Idle must not hold before it is claimed
}

func (s *Sender) retry(ctx context.Context, msg storage.OutboxMessage, de *DeliveryError) {
	s.retried.Add(1)
	wait := Backoff(msg.Attempts, s.opts.RetryBase, s.opts.RetryMax)
	s.noteDue(msg.ID, time.Now().Add(wait))
	level, what := slog.LevelWarn, "outbox: delivery failed, will retry"
	if de.Rejected {
		level, what = slog.LevelError, "outbox: the bot's token was rejected, nothing can be sent until it is fixed; will retry"
	}
	s.logger.Log(ctx, level, what, "outbox_id", msg.ID, "kind", msg.Kind,
		"attempt", msg.Attempts+1, "retry_in", wait, "description", de.Description)
	if err := s.store.RetryOutbox(ctx, msg.ID, time.Now().Add(wait), de.Error()); err != nil {
		s.logger.Error("outbox: recording a retry failed", "outbox_id", msg.ID, "error", err)
	}
}
