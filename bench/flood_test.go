package bench

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// During a 429 storm every send is answered by the injected fault before
// the fake's flood check, so a bot that resent at once would only collect
// fresh injected 429s, none flagged Early by the fake: the bench must
// still count them as sends before retry_after.
func TestEarlyRetriesCaughtDuringAnInjectedStorm(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	records := []tg.FloodViolation{
		{At: at(0), Method: "sendMessage", ChatID: 7, Scope: "chat", RetryAfter: 3, Injected: true},
		// Chat 7 again 1 s later: inside its retry_after.
		{At: at(1000), Method: "editMessageText", ChatID: 7, Scope: "chat", RetryAfter: 3, Injected: true},
		// Chat 8: a first 429 of its own, not early.
		{At: at(1500), Method: "sendMessage", ChatID: 8, Scope: "chat", RetryAfter: 3, Injected: true},
		// Chat 7 after the second period (which ended at 4 s): not early.
		{At: at(4100), Method: "sendMessage", ChatID: 7, Scope: "chat", RetryAfter: 3, Injected: true},
		// After the storm, the fake's own flood check flags one.
		{At: at(5000), Method: "sendMessage", ChatID: 8, Scope: "chat", RetryAfter: 1, Early: true},
	}
	if got := earlyRetries(records); got != 2 {
		t.Errorf("earlyRetries = %d, want 2 (one inside the storm, one flagged by the fake)", got)
	}
	// A bot-wide 429 from the token bucket parks every send.
	global := []tg.FloodViolation{
		{At: at(0), Method: "sendMessage", ChatID: 1, Scope: "global", RetryAfter: 1},
		{At: at(500), Method: "sendMessage", ChatID: 2, Scope: "global", RetryAfter: 1, Injected: true},
		{At: at(2600), Method: "sendMessage", ChatID: 3, Scope: "chat", RetryAfter: 1},
	}
	if got := earlyRetries(global); got != 1 {
		t.Errorf("earlyRetries after a global 429 = %d, want 1", got)
	}
}

// The same through the fake itself: a storm, and a bot that resends to a
// chat one call after another, ignoring retry_after.
func TestRetryAfterViolationsCountsResendsIntoAStorm(t *testing.T) {
	api, err := tg.Listen("127.0.0.1:0", tg.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	for _, m := range sendMethods {
		api.InjectFault(tg.Fault{Method: m, Kind: tg.FaultFlood, RetryAfter: 3})
	}
	for range 3 {
		resp, err := http.PostForm(api.URL+"/bot"+api.Token()+"/sendMessage", url.Values{"chat_id": {"4242"}, "text": {"hi"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("status %d, want 429", resp.StatusCode)
		}
	}
	if got := retryAfterViolations(api); got != 2 {
		t.Errorf("retry_after_violations = %d, want 2 (the two resends inside retry_after)", got)
	}
}
