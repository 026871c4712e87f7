package telegram_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot/telegram"
)

// A NUL in what a person sends arrives as \u0000, which PostgreSQL's jsonb
// refuses, as it refuses half of a surrogate pair (an emulator's client can
// send one). Recording such an update must not fail: a failed record is
// fetched (or delivered by the webhook) again and again, and the poller
// would never get past it to the updates of everyone else.
func TestRecorderStoresWhatJSONBRefuses(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	var woken []string
	record := telegram.Recorder(store, telegram.RecorderOptions{Recorded: func(chats ...string) { woken = append(woken, chats...) }})

	h, err := telegram.NewWebhookHandler(secret, record, quiet, telegram.WebhookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{
		`{"update_id":81,"message":{"message_id":1,"chat":{"id":1001,"type":"private"},"date":1764000000,"text":"a\u0000b"}}`,
		// A backslash typed before "u0000" is text, not a NUL.
		`{"update_id":82,"message":{"message_id":2,"chat":{"id":1001,"type":"private"},"date":1764000000,"text":"a\\u0000b \\\u0000"}}`,
		`{"update_id":83,"message":{"message_id":3,"chat":{"id":1001,"type":"private"},"date":1764000000,"text":"\ud83d \ud83d\ude00 \ude00\u00e0"}}`,
	} {
		if status := post(t, h, body); status != 200 {
			t.Errorf("update %d: status %d, want 200", i, status)
		}
	}
	pending, _, err := store.InboxBacklog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if pending != 3 {
		t.Errorf("%d updates waiting in the inbox, want 3", pending)
	}
	var texts []string
	rows, err := store.DB().QueryContext(t.Context(), `SELECT payload->'message'->>'text' FROM inbox ORDER BY update_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		texts = append(texts, s)
	}
	if want := []string{"ab", `a\u0000b \`, "\ufffd 😀 \ufffdà"}; strings.Join(texts, "|") != strings.Join(want, "|") {
		t.Errorf("stored texts %q, want %q", texts, want)
	}
	if len(woken) == 0 {
		t.Error("the processor was not woken")
	}
}

func post(t *testing.T, h http.Handler, body string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", strings.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

// A chat sending faster than CHAT_RATE has the rest shed; another chat,
// and an update without a chat, are not held back by it.
func TestRecorderShedsWhatAChatSendsOverItsRate(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	shedOverRate, shedOverBacklog := 0, 0
	record := telegram.Recorder(store, telegram.RecorderOptions{ChatRate: 2, Shed: func(overRate, overBacklog int) {
		shedOverRate += overRate
		shedOverBacklog += overBacklog
	}})
	h, err := telegram.NewWebhookHandler(secret, record, quiet, telegram.WebhookOptions{})
	if err != nil {
		t.Fatal(err)
	}
	message := func(id, chat int) string {
		return fmt.Sprintf(`{"update_id":%d,"message":{"message_id":%d,"from":{"id":%d,"is_bot":false,"first_name":"A"},"chat":{"id":%d,"type":"private"},"date":1764000000,"text":"x"}}`,
			id, id, chat, chat)
	}
	bodies := []string{message(1, 1001), message(2, 1001), message(3, 1002), message(4, 1001), message(5, 1001),
		`{"update_id":6,"poll":{"id":"p","question":"?","options":[],"total_voter_count":0,"is_closed":true,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}}`,
		message(2, 1001)} // Telegram trying the second again: recorded once, not shed
	for _, body := range bodies {
		if status := post(t, h, body); status != 200 {
			t.Fatalf("status %d, want 200", status)
		}
	}
	if shedOverRate != 2 || shedOverBacklog != 0 {
		t.Errorf("%d updates shed over the rate and %d over the backlog, want 2 and 0 (the third and fourth of chat 1001)", shedOverRate, shedOverBacklog)
	}
	pending, _, err := store.InboxBacklog(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if pending != 4 {
		t.Errorf("%d updates waiting in the inbox, want 4", pending)
	}
}
