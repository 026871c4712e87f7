package bot_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
)

// schedule puts a message for chat in the schedule, due at due.
func (w *senderWorld) schedule(chat, text string, due time.Time) {
	w.t.Helper()
	payload, _ := json.Marshal(bot.Outgoing{Kind: bot.KindText, ChatID: chat, Text: text})
	if _, err := w.store.DB().ExecContext(w.t.Context(), `
		INSERT INTO outbox_scheduled (channel, chat_id, kind, payload, dedupe_key, due_at)
		VALUES ('telegram', $1, 'text', $2, $3, $4)`, chat, string(payload), "test:"+text, due); err != nil {
		w.t.Fatal(err)
	}
}

// Scheduled messages go out once due and not before, each once; replies
// queued meanwhile do not wait for them.
func TestSenderDeliversScheduledMessagesWhenDue(t *testing.T) {
	t.Parallel()
	w := newSenderWorld(t, fast(bot.SenderOptions{}), nil)
	start := time.Now()
	for i := range 5 {
		w.schedule(fmt.Sprint("N", i), fmt.Sprint("notice ", i), start)
	}
	w.schedule("L", "later", start.Add(2500*time.Millisecond))
	w.start()
	w.texts("R", "reply")

	w.waitUntil(10*time.Second, "the due notices and the reply", func() bool {
		for i := range 5 {
			if len(w.fake.delivered(fmt.Sprint("N", i))) == 0 {
				return false
			}
		}
		return len(w.fake.delivered("R")) == 1
	})
	if got := w.fake.delivered("L"); len(got) > 0 && got[0].Start.Before(start.Add(2500*time.Millisecond)) {
		t.Fatalf("a message due at +2.5s went out at +%v", got[0].Start.Sub(start))
	}
	w.waitUntil(10*time.Second, "the later notice", func() bool { return len(w.fake.delivered("L")) == 1 })
	if at := w.fake.delivered("L")[0].Start.Sub(start); at < 2500*time.Millisecond {
		t.Errorf("the message due at +2.5s went out at +%v", at)
	}
	if n := len(w.fake.attempts("notice 0")); n != 1 {
		t.Errorf("a scheduled message was sent %d times", n)
	}
	var left int
	if err := w.store.DB().QueryRowContext(t.Context(), `SELECT count(*) FROM outbox_scheduled`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d messages still scheduled (%v)", left, err)
	}
}
