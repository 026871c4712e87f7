package telegramtest

import (
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// TestCloseLeavesNoGoroutines exercises every background mechanism (long
// poll, webhook retries, a delayed answer) and checks that Close ends them.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	client := &http.Client{Transport: &http.Transport{}}
	srv := NewServer(Config{Webhook: WebhookConfig{RetryMin: 10 * time.Millisecond}})
	bot, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(), client)
	if err != nil {
		t.Fatal(err)
	}

	// A long poll in progress.
	go func() {
		cfg := tgbotapi.NewUpdate(0)
		cfg.Timeout = 30
		_, _ = bot.GetUpdates(cfg)
	}()
	waitCalls(t, srv, "getUpdates", 1)
	// An answer delayed for a minute.
	srv.InjectFault(Fault{Method: "getMe", Kind: FaultDelay, Delay: time.Minute})
	go func() { _, _ = bot.GetMe() }()
	waitCalls(t, srv, "getMe", 2)
	// A webhook that keeps failing (setting it also ends the long poll).
	if _, err := bot.MakeRequest("setWebhook", tgbotapi.Params{"url": "http://127.0.0.1:1/unreachable"}); err != nil {
		t.Fatal(err)
	}
	srv.PushText(citizen, "retry me")
	waitUntil(t, func() bool { return len(srv.WebhookDeliveries()) >= 2 })

	srv.Close()
	client.CloseIdleConnections()

	deadline := time.Now().Add(3 * time.Second)
	for {
		left := serverGoroutines()
		if left == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Close:\n%s", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// serverGoroutines returns the stacks of goroutines running server code.
func serverGoroutines() string {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	var ours []string
	for _, g := range strings.Split(string(buf[:n]), "\n\n") {
		if strings.Contains(g, "telegramtest.(*Server)") && !strings.Contains(g, "TestCloseLeavesNoGoroutines") {
			ours = append(ours, g)
		}
	}
	return strings.Join(ours, "\n\n")
}
