package bot

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// IntakeLimit bounds how fast one chat's updates are taken in: a token
// bucket per chat holding a minute's worth, refilled evenly over the
// minute. A person filing a petition, or sending an album of photos, is
// far below it; an account sending as fast as a machine can is not, and
// what it sends beyond the limit is shed (storage.RecordUpdates). Each
// replica keeps its own buckets.
type IntakeLimit struct {
	perMinute int

	mu    sync.Mutex
	chats map[string]*chatIntake
	swept time.Time
}

type chatIntake struct {
	bucket *rate.Limiter
	last   int64 // the latest update judged
}

// intakeSweepEvery is how often buckets that have refilled are forgotten.
const intakeSweepEvery = time.Minute

// NewIntakeLimit allows each chat perMinute updates a minute; nil (no
// limit) when perMinute is 0.
func NewIntakeLimit(perMinute int) *IntakeLimit {
	if perMinute <= 0 {
		return nil
	}
	return &IntakeLimit{perMinute: perMinute, chats: map[string]*chatIntake{}}
}

// Allow reports whether chat may have update seq taken in at now, and
// takes it from the chat's bucket if so. An update not after the latest
// judged is a redelivery (a write that failed, tried again) and passes
// without taking anything: a person's message must not be shed because
// the database was down while it was retried. A nil limit allows all.
func (l *IntakeLimit) Allow(chat string, seq int64, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) >= intakeSweepEvery {
		forgetRefilled(l.chats, now, func(c *chatIntake) *rate.Limiter { return c.bucket })
		l.swept = now
	}
	c := l.chats[chat]
	switch {
	case c == nil:
		c = &chatIntake{bucket: rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), l.perMinute)}
		l.chats[chat] = c
	case seq <= c.last:
		return true
	}
	c.last = seq
	return c.bucket.AllowN(now, 1)
}

// forgetRefilled drops the entries whose bucket is full again: a full
// bucket behaves exactly like a new one, so nothing is lost.
func forgetRefilled[T any](entries map[string]T, now time.Time, bucket func(T) *rate.Limiter) {
	for key, e := range entries {
		if lim := bucket(e); lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(entries, key)
		}
	}
}
