package bench

import (
	"slices"
	"strconv"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// earlyRetries counts the requests that came before a retry_after the fake
// had given for their scope had passed.
//
// The fake flags such a request itself (FloodViolation.Early) only when it
// reaches its flood check; an injected 429 (the storm of -fault storm) is
// answered before that check, so during a storm a send to a chat still
// inside its retry_after is answered with a fresh injected 429, recorded
// as an ordinary one, and the fake's own count misses it. Here every 429
// the fake answered is replayed in order with the retry_after periods it
// started, and a 429 that came inside one counts as early too.
func earlyRetries(records []tg.FloodViolation) int {
	parked := map[string]time.Time{} // scope key -> end of its retry_after
	early := 0
	for _, v := range records {
		inside := false
		for _, key := range floodKeys(v) {
			if until, ok := parked[key]; ok && v.At.Before(until) {
				inside = true
			}
		}
		if v.Early || inside {
			early++
		}
		if v.Early {
			continue // answered 429 without starting a new period
		}
		if key := parkKey(v); key != "" {
			until := v.At.Add(time.Duration(v.RetryAfter) * time.Second)
			if until.After(parked[key]) {
				parked[key] = until
			}
		}
	}
	return early
}

func sendsMethod(method string) bool { return slices.Contains(sendMethods, method) }

// floodKeys are the retry_after scopes a request falls under, as the fake
// sees them: its method's, and for a sending method the bot-wide one and
// its chat's.
func floodKeys(v tg.FloodViolation) []string {
	keys := []string{"method:" + v.Method}
	if sendsMethod(v.Method) {
		keys = append(keys, "global")
		if v.ChatID != 0 {
			keys = append(keys, "chat:"+strconv.FormatInt(v.ChatID, 10))
		}
	}
	return keys
}

// parkKey is the scope whose retry_after a 429 started.
func parkKey(v tg.FloodViolation) string {
	switch {
	case v.Injected && v.ChatID != 0, !v.Injected && (v.Scope == "chat" || v.Scope == "group"):
		return "chat:" + strconv.FormatInt(v.ChatID, 10)
	case v.Injected && sendsMethod(v.Method), v.Scope == "global":
		return "global"
	default:
		return "method:" + v.Method
	}
}

// retryAfterViolations is retry_after_violations: the requests the fake
// answered 429 or flagged while a retry_after of theirs still ran.
func retryAfterViolations(api *tg.Server) int { return earlyRetries(api.FloodViolations()) }
