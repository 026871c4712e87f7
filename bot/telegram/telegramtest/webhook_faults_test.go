package telegramtest

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// Telegram's Bot API server keeps one webhook queue per chat
// (tdlib/telegram-bot-api, WebhookActor: updates are grouped by queue id,
// and a queue's next update is sent only once its front one was answered
// 2xx, or dropped): a chat's updates reach the bot one at a time and in
// order, an update that failed being retried before the chat's next one.
// Other chats' updates go out meanwhile, up to max_connections.
func TestWebhookKeepsAChatsUpdatesInOrderAcrossARetry(t *testing.T) {
	srv := start(t, Config{Webhook: WebhookConfig{RetryMin: 300 * time.Millisecond}})
	bot := newBot(t, srv)
	hook, ts := newHookReceiver(t)
	hook.failures = 1 // the first delivery, of the chat's first update, fails
	first := srv.PushText(citizen, "Đường Lê Lợi ngập nước")
	setWebhook(t, bot, tgbotapi.Params{"url": ts.URL})
	waitUntil(t, func() bool { return len(srv.WebhookDeliveries()) == 1 })
	second := srv.PushText(citizen, "Có ảnh kèm theo")
	hook.wait(t, 2)

	hook.mu.Lock()
	defer hook.mu.Unlock()
	var got []int
	for _, u := range hook.updates {
		got = append(got, u.UpdateID)
	}
	if len(got) != 2 || got[0] != first.UpdateID || got[1] != second.UpdateID {
		t.Fatalf("the chat's updates reached the bot as %v, want %d then %d (deliveries %+v)",
			got, first.UpdateID, second.UpdateID, srv.WebhookDeliveries())
	}
}
