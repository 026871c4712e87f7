package bot

import (
	"sync"
	"time"
)

// IntakeLimit bounds how fast one chat's updates are taken in: a bucket
// per chat holding a minute's worth of tokens, refilled evenly over the
// minute. A person filing a petition, or forwarding a hundred messages at
// once, stays within the default; an account sending as fast as a machine
// can does not, and what it sends beyond the limit is shed
// (storage.RecordUpdates). Each replica keeps its own buckets.
//
// Hand-written rather than golang.org/x/time/rate: a token taken for an
// update whose write then failed must go back (the update comes again and
// is judged again), which a rate.Limiter cannot do once time has passed.
type IntakeLimit struct {
	perMinute float64

	mu    sync.Mutex
	chats map[string]*intakeBucket
	swept time.Time
}

// intakeBucket is a chat's tokens as they were at a moment.
type intakeBucket struct {
	tokens float64
	at     time.Time
}

// intakeSweepEvery is how often buckets that have refilled are forgotten.
const intakeSweepEvery = time.Minute

// NewIntakeLimit allows each chat perMinute updates a minute; nil (no
// limit) when perMinute is 0.
func NewIntakeLimit(perMinute int) *IntakeLimit {
	if perMinute <= 0 {
		return nil
	}
	return &IntakeLimit{perMinute: float64(perMinute), chats: map[string]*intakeBucket{}}
}

// Take reports whether chat may have one more update taken in, and takes
// a token for it if so. The update is judged at when it was sent, if
// known and earlier than now: messages a person sent over an hour while
// the bot was down, arriving together once it is back, are judged at the
// pace they were sent. A nil limit allows all.
func (l *IntakeLimit) Take(chat string, sent, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= intakeSweepEvery {
		l.sweep(now)
		l.swept = now
	}
	at := now
	if !sent.IsZero() && sent.Before(now) {
		at = sent
	}
	b := l.chats[chat]
	switch {
	case b == nil:
		b = &intakeBucket{tokens: l.perMinute, at: at}
		l.chats[chat] = b
	case at.Before(b.at): // a press judged at its arrival, or clocks apart
		at = b.at
	}
	b.tokens, b.at = l.level(b, at), at
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// GiveBack returns a token Take took for chat's update, whose write
// failed: the update comes again and is judged again, so a person's
// messages are not shed because the database was down while they were
// retried.
func (l *IntakeLimit) GiveBack(chat string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.chats[chat]; b != nil { // a bucket forgotten was full
		b.tokens = min(l.perMinute, b.tokens+1)
	}
}

// level is b's tokens at now.
func (l *IntakeLimit) level(b *intakeBucket, now time.Time) float64 {
	return min(l.perMinute, b.tokens+max(0, now.Sub(b.at).Minutes())*l.perMinute)
}

// sweep forgets the buckets that are full again: a full bucket behaves
// exactly like a new one, so nothing is lost.
func (l *IntakeLimit) sweep(now time.Time) {
	for chat, b := range l.chats {
		if l.level(b, now) >= l.perMinute {
			delete(l.chats, chat)
		}
	}
}
