package telegram_test

import (
	"testing"

	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// Replicas restarting together (a rollout, a crash loop) all call getMe at
// once, and Telegram may answer 429 with a retry_after. NewClient retries,
// but never before retry_after has passed, as RegisterWebhook and the poller do: an early retry only
// earns a longer penalty.
func TestNewClientWaitsOutRetryAfter(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	srv.InjectFault(telegramtest.Fault{Method: "getMe", Kind: telegramtest.FaultFlood, RetryAfter: 3, Times: 1})
	if _, err := telegram.NewClient(t.Context(), srv.Token(), telegram.ClientOptions{APIURL: srv.URL, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	if early := srv.EarlyRetries(); len(early) != 0 {
		t.Errorf("getMe called %d times before its retry_after of 3 s had passed, first %+v", len(early), early[0])
	}
}
