package app_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// An account flooding the bot has what goes beyond CHAT_BACKLOG shed: not
// read, not answered, but told once that it was not, and heard again once
// its queue is handled.
func TestAFloodingChatIsToldOnceWhatWasNotRead(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	c := newPerson(t, api, 5010, "Hùng")
	// Thirty messages wait at Telegram before the bot starts, so that one
	// getUpdates brings them all and one write records them.
	at := api.Cursor()
	for i := range 30 {
		api.PushText(c.user, fmt.Sprintf("tin nhắn %d", i))
	}
	cfg := testConfig(api, dsn)
	cfg.ChatBacklog = 5
	cfg.ListenAddr = freeAddr(t)
	// The five read are answered at once, not one a second.
	cfg.SendRate, cfg.ChatSendRate = 1000, 1000
	startService(t, cfg)
	c.expect(at, "quá nhiều tin nhắn")

	deadline := time.Now().Add(wait)
	for count(t, dsn, `SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL`) < 30 {
		if time.Now().After(deadline) {
			t.Fatal("the thirty updates were not all recorded and handled or shed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(t, dsn, `SELECT count(*) FROM inbox WHERE last_error = 'shed' AND payload IS NULL`); n != 25 {
		t.Fatalf("%d updates shed, want 25 (30 less the 5 CHAT_BACKLOG lets wait)", n)
	}
	metrics := scrape(t, cfg.ListenAddr)
	if got := metrics[`danvan_updates_shed_total{limit="backlog"}`]; got != 25 {
		t.Errorf("danvan_updates_shed_total{limit=\"backlog\"} %v, want 25", got)
	}
	if got, found := metrics[`danvan_updates_shed_total{limit="rate"}`]; !found || got != 0 {
		t.Errorf("danvan_updates_shed_total{limit=\"rate\"} %v (found %v), want 0", got, found)
	}
	c.says("/start", "Xin chào")
	if n := count(t, dsn, `SELECT count(*) FROM outbox WHERE chat_id = '5010' AND payload->>'text' LIKE '%quá nhiều tin nhắn%'`); n != 1 {
		t.Fatalf("%d notices queued, want 1", n)
	}
}
