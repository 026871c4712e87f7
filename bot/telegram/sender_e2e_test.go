package telegram_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage"
)

// The whole outbound path against a fake that enforces Telegram's limits
// (30/s overall, 1/s with a burst of 3 per chat, 20/min per group): with
// the sender's default limits nothing is refused, everything arrives, in
// order per chat.
func TestSenderStaysWithinTelegramsLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 20 s: 20 messages to one chat at 1/s")
	}
	t.Parallel()
	srv := newFake(t, telegramtest.Config{Flood: telegramtest.FloodConfig{Enabled: true}})
	store := openStore(t)
	enqueue := func(chat int64, text string) {
		t.Helper()
		o := bot.Outgoing{Kind: bot.KindText, ChatID: strconv.FormatInt(chat, 10), Group: chat < 0, Text: text}
		payload, _ := json.Marshal(o)
		err := store.Enqueue(t.Context(), telegram.Channel, storage.OutboxEntry{ChatID: o.ChatID, Group: o.Group, Kind: string(o.Kind), Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
	}

	want := map[int64][]string{}
	add := func(chat int64, n int) {
		for i := range n {
			text := fmt.Sprintf("Tin %d/%02d", chat, i+1)
			want[chat] = append(want[chat], text)
			enqueue(chat, text)
		}
	}
	add(lan.ID, 20)
	const crowd = 60 // chats with 2 messages each: 120 messages, over the global 30/s
	for i := range crowd {
		add(int64(2000+i), 2)
	}
	const group = -100500
	add(group, 5)

	sender := bot.NewSender(store, telegram.NewMessenger(connect(t, srv), quiet), quiet, bot.SenderOptions{})
	begin := time.Now()
	stop := run(t, sender.Run)
	eventually(t, 40*time.Second, "every message", func() bool {
		n, _, err := store.OutboxBacklog(t.Context())
		return err == nil && n == 0
	})
	elapsed := time.Since(begin)
	_ = stop()

	if v := srv.FloodViolations(); len(v) != 0 {
		t.Errorf("%d flood violations, first %+v", len(v), v[0])
	}
	var crowdDone time.Time
	for chat, texts := range want {
		sent := srv.Sent(chat)
		var got []string
		for _, m := range sent {
			got = append(got, m.Text)
		}
		if !slices.Equal(got, texts) {
			t.Errorf("chat %d got %q, want %q", chat, got, texts)
		}
		if chat >= 2000 && len(sent) > 0 && sent[len(sent)-1].Date.After(crowdDone) {
			crowdDone = sent[len(sent)-1].Date
		}
	}
	if s := sender.Stats(); s.Sent != int64(20+2*crowd+5) || s.Deferred+s.Retried+s.Failed != 0 {
		t.Errorf("stats = %+v", s)
	}
	t.Logf("%d messages in %v; the crowd's %d messages to %d chats in %v (%.1f msg/s)",
		20+2*crowd+5, elapsed.Round(time.Millisecond), 2*crowd, crowd,
		crowdDone.Sub(begin).Round(time.Millisecond), float64(2*crowd)/crowdDone.Sub(begin).Seconds())
}
