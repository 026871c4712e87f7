package bot

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiterSlack is added when a chat has to wait for its next token. The
// messenger counts tokens from the moment a request arrives, which is a
// little later and jitters; coming back a little late keeps us on the
// right side of its bucket instead of earning a 429 and a long penalty.
const limiterSlack = 50 * time.Millisecond

// globalHeadroom is the share of the global limit the sender uses. At full
// speed our bucket and the messenger's are both empty, so a request that
// arrives a millisecond earlier than its predecessor's spacing would be
// refused; running slightly slower builds up a margin instead.
const globalHeadroom = 0.985

// limits are the sender's token buckets: one global, one per chat (groups
// have a slower one), and the flood-control penalties the messenger
// imposed on chats (a bucket cannot express "nothing until T").
type limits struct {
	global *rate.Limiter

	chatRate, groupRate   rate.Limit
	chatBurst, groupBurst int

	mu     sync.Mutex // chats and parked are also touched by deliveries
	chats  map[string]*rate.Limiter
	parked map[string]time.Time
}

func newLimits(o SenderOptions) *limits {
	return &limits{
		global:   rate.NewLimiter(o.GlobalRate*globalHeadroom, o.GlobalBurst),
		chatRate: o.ChatRate, chatBurst: o.ChatBurst,
		groupRate: o.GroupRate, groupBurst: o.GroupBurst,
		chats:  map[string]*rate.Limiter{},
		parked: map[string]time.Time{},
	}
}

// waitGlobal blocks until the global bucket has a token for one message.
func (l *limits) waitGlobal(ctx context.Context) error { return l.global.Wait(ctx) }

// delay reports how long a chat must wait before it may receive its next
// message; 0 means now. It takes nothing from the bucket.
func (l *limits) delay(chatID string, group bool, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until, ok := l.parked[chatID]; ok && now.Before(until) {
		return until.Sub(now)
	}
	lim := l.chatLocked(chatID, group)
	tokens := lim.TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	wait := time.Duration((1 - tokens) / float64(lim.Limit()) * float64(time.Second))
	return wait + limiterSlack
}

// take spends the chat's token for a message about to be sent. It reports
// false if there is none, which cannot happen after delay returned 0,
// because only the dispatching goroutine takes tokens.
func (l *limits) take(chatID string, group bool, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.chatLocked(chatID, group).AllowN(now, 1)
}

// park holds a chat back until the messenger's flood penalty is over.
func (l *limits) park(chatID string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if until.After(l.parked[chatID]) {
		l.parked[chatID] = until
	}
}

// sweep forgets penalties that are over and buckets that have refilled:
// a full bucket behaves exactly like a new one, so nothing is lost.
func (l *limits) sweep(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for chat, until := range l.parked {
		if !now.Before(until) {
			delete(l.parked, chat)
		}
	}
	for chat, lim := range l.chats {
		if lim.TokensAt(now) >= float64(lim.Burst()) {
			delete(l.chats, chat)
		}
	}
}

func (l *limits) chatLocked(chatID string, group bool) *rate.Limiter {
	lim := l.chats[chatID]
	if lim == nil {
		if group {
			lim = rate.NewLimiter(l.groupRate, l.groupBurst)
		} else {
			lim = rate.NewLimiter(l.chatRate, l.chatBurst)
		}
		l.chats[chatID] = lim
	}
	return lim
}
