package telegramtest

import (
	"math"
	"strconv"
	"time"
)

// FloodConfig configures flood control. It is off by default so ordinary
// scenario tests are not slowed down; set Enabled to get Telegram-like
// limits (the zero rates then default to the documented figures).
type FloodConfig struct {
	Enabled bool
	// GlobalPerSecond is the bot-wide rate (default 30 messages/s) and
	// GlobalBurst its bucket size (default 30).
	GlobalPerSecond float64
	GlobalBurst     int
	// PrivatePerSecond is the rate per private chat (default 1/s) and
	// PrivateBurst its bucket size (default 3: short bursts are tolerated).
	PrivatePerSecond float64
	PrivateBurst     int
	// GroupPerMinute is how many messages one group takes in any 60
	// seconds (default 20, Telegram's documented limit). It is a sliding
	// window, not a bucket: a bucket of 20 refilling at 20 a minute would
	// let up to 40 into a minute.
	GroupPerMinute int
}

func (f FloodConfig) withDefaults() FloodConfig {
	if f.GlobalPerSecond == 0 {
		f.GlobalPerSecond = 30
	}
	if f.GlobalBurst == 0 {
		f.GlobalBurst = 30
	}
	if f.PrivatePerSecond == 0 {
		f.PrivatePerSecond = 1
	}
	if f.PrivateBurst == 0 {
		f.PrivateBurst = 3
	}
	if f.GroupPerMinute <= 0 {
		f.GroupPerMinute = 20
	}
	return f
}

// bucket is a token bucket.
type bucket struct {
	tokens float64
	last   time.Time
	rate   float64 // tokens per second
	burst  float64
}

func newBucket(rate float64, burst int, now time.Time) *bucket {
	return &bucket{tokens: float64(burst), last: now, rate: rate, burst: float64(burst)}
}

// wait returns how long until a token is available (0 if one is).
func (b *bucket) wait(now time.Time) time.Duration {
	b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// window counts the sends to a group over the last minute.
type window struct {
	max   int
	sends []time.Time // the last max sends, oldest first
}

// wait returns how long until a send is allowed (0 if one is): until the
// oldest of the last max sends is a minute old.
func (w *window) wait(now time.Time) time.Duration {
	if len(w.sends) < w.max {
		return 0
	}
	return max(0, w.sends[0].Add(time.Minute).Sub(now))
}

func (w *window) take(now time.Time) {
	if len(w.sends) == w.max {
		w.sends = append(w.sends[:0], w.sends[1:]...)
	}
	w.sends = append(w.sends, now)
}

type floodState struct {
	global  *bucket
	chats   map[int64]*bucket
	groups  map[int64]*window
	parked  map[string]time.Time // scope key -> end of its retry_after
	records []FloodViolation
}

func newFloodState() floodState {
	return floodState{chats: map[int64]*bucket{}, groups: map[int64]*window{}, parked: map[string]time.Time{}}
}

func chatKey(id int64) string { return "chat:" + strconv.FormatInt(id, 10) }

// scopeKeys lists the park keys a request is subject to: sending methods
// are subject to the global and per-chat parks; every method to its own
// (used when a 429 is injected on a chat-less method such as getUpdates).
func scopeKeys(c *call, sends bool) []string {
	keys := []string{"method:" + c.method}
	if sends {
		keys = append(keys, "global")
		if c.chatID != 0 {
			keys = append(keys, chatKey(c.chatID))
		}
	}
	return keys
}

func scopeName(key string) string {
	switch {
	case key == "global":
		return "global"
	case len(key) > 5 && key[:5] == "chat:":
		return "chat"
	}
	return "method"
}

func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// checkFlood answers 429 when the request comes while its scope is parked
// (recorded as Early: the bot ignored retry_after) or when a token bucket
// is empty or a group has had its messages for the minute (only with
// flood control enabled).
func (s *Server) checkFlood(c *call, sends bool) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.st.flood
	now := time.Now()
	for _, key := range scopeKeys(c, sends) {
		if until, ok := f.parked[key]; ok && now.Before(until) {
			n := retrySeconds(until.Sub(now))
			s.recordFloodLocked(FloodViolation{At: now, Method: c.method, ChatID: c.chatID, Scope: scopeName(key), RetryAfter: n, Early: true})
			return tooManyRequests(n)
		}
	}
	cfg := s.cfg.Flood
	if !cfg.Enabled || !sends {
		return nil
	}
	if f.global == nil {
		f.global = newBucket(cfg.GlobalPerSecond, cfg.GlobalBurst, now)
	}
	// A private chat has a token bucket, a group a sliding window.
	var chat *bucket
	var group *window
	var chatWait time.Duration
	scope := "chat"
	switch {
	case c.chatID > 0:
		if chat = f.chats[c.chatID]; chat == nil {
			chat = newBucket(cfg.PrivatePerSecond, cfg.PrivateBurst, now)
			f.chats[c.chatID] = chat
		}
		chatWait = chat.wait(now)
	case c.chatID < 0:
		if group = f.groups[c.chatID]; group == nil {
			group = &window{max: cfg.GroupPerMinute}
			f.groups[c.chatID] = group
		}
		chatWait, scope = group.wait(now), "group"
	}
	globalWait := f.global.wait(now)
	switch {
	case chatWait > 0:
		n := retrySeconds(chatWait)
		f.parked[chatKey(c.chatID)] = now.Add(time.Duration(n) * time.Second)
		s.recordFloodLocked(FloodViolation{At: now, Method: c.method, ChatID: c.chatID, Scope: scope, RetryAfter: n})
		return tooManyRequests(n)
	case globalWait > 0:
		n := retrySeconds(globalWait)
		f.parked["global"] = now.Add(time.Duration(n) * time.Second)
		s.recordFloodLocked(FloodViolation{At: now, Method: c.method, ChatID: c.chatID, Scope: "global", RetryAfter: n})
		return tooManyRequests(n)
	}
	f.global.tokens--
	if chat != nil {
		chat.tokens--
	}
	if group != nil {
		group.take(now)
	}
	return nil
}

// parkLocked starts a retry_after period for an injected 429.
func (s *Server) parkLocked(c *call, sends bool, retryAfter int) {
	key := "method:" + c.method
	switch {
	case c.chatID != 0:
		key = chatKey(c.chatID)
	case sends:
		key = "global"
	}
	now := time.Now()
	s.st.flood.parked[key] = now.Add(time.Duration(retryAfter) * time.Second)
	s.recordFloodLocked(FloodViolation{At: now, Method: c.method, ChatID: c.chatID, Scope: scopeName(key),
		RetryAfter: retryAfter, Injected: true})
}

func (s *Server) recordFloodLocked(v FloodViolation) {
	s.st.flood.records = append(s.st.flood.records, v)
	s.notifyLocked()
}

// FloodViolations returns every 429 answered, in order.
func (s *Server) FloodViolations() []FloodViolation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]FloodViolation(nil), s.st.flood.records...)
}

// EarlyRetries returns the requests that came before a previous
// retry_after had passed. A bot that honours flood control has none.
func (s *Server) EarlyRetries() []FloodViolation {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []FloodViolation
	for _, v := range s.st.flood.records {
		if v.Early {
			out = append(out, v)
		}
	}
	return out
}
