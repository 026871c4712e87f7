package telegram_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage"
)

// The citizens' command menu is queued once per version of its texts (the
// dedupe key is their hash, handlers.QueueDefaultMenus), so a delivery
// given up is not queued again at the next start. Telegram answering 429
// to setMyCommands, or a connection dropped on the way, is a "try later",
// not a refusal: the menu must still be set once the wait is over, and
// nothing may be asked of the method before its retry_after has passed.
func TestTheCommandMenuSurvivesFloodControlAndANetworkError(t *testing.T) {
	for _, tt := range []struct {
		name  string
		fault telegramtest.Fault
	}{
		{"429", telegramtest.Fault{Method: "setMyCommands", Times: 1, Kind: telegramtest.FaultFlood, RetryAfter: 1}},
		{"connection reset", telegramtest.Fault{Method: "setMyCommands", Times: 1, Kind: telegramtest.FaultReset}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, telegramtest.Config{})
			store := openStore(t)
			srv.InjectFault(tt.fault)

			menu := bot.Outgoing{Kind: bot.KindCommands, Commands: []bot.Command{{Name: "new", Description: "Gửi phản ánh"}}}
			payload, _ := json.Marshal(menu)
			if err := store.Enqueue(t.Context(), telegram.Channel, storage.OutboxEntry{
				Kind: string(menu.Kind), Payload: payload, DedupeKey: "menu:telegram:review",
			}); err != nil {
				t.Fatal(err)
			}
			sender := bot.NewSender(store, telegram.NewMessenger(connect(t, srv), quiet), quiet,
				bot.SenderOptions{Poll: 20 * time.Millisecond, RetryBase: 50 * time.Millisecond})
			run(t, sender.Run)

			deadline := time.Now().Add(5 * time.Second)
			for len(srv.CommandsFor(telegramtest.CommandScope{Type: "default"}, "")) == 0 {
				if time.Now().After(deadline) {
					t.Fatalf("the menu was never set: %d setMyCommands calls, sender stats %+v (a temporary failure was given up for good)",
						srv.CallCount("setMyCommands"), sender.Stats())
				}
				time.Sleep(10 * time.Millisecond)
			}
			if early := srv.EarlyRetries(); len(early) != 0 {
				t.Errorf("%d calls before retry_after had passed, first %+v", len(early), early[0])
			}
		})
	}
}
