package bench

import (
	"slices"
	"strings"
	"testing"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage"
)

// The exit status: lost, duplicated or missing tickets and a short hold
// fail; latency does not.
func TestFailure(t *testing.T) {
	ok := Result{P99Ms: 99999, verdict: verdict{TicketsExpected: 3, TicketsStored: 3}}
	if why := ok.Failure(); why != "" {
		t.Fatalf("a clean run fails: %s", why)
	}
	for name, r := range map[string]Result{
		"lost_messages":             {LostMessages: 1},
		"duplicate_tickets":         {verdict: verdict{DuplicateTickets: 1}},
		"tickets_stored 2":          {verdict: verdict{TicketsExpected: 3, TicketsStored: 2}},
		"conversations_in_progress": {Hold: &holdReport{Citizens: 5, InProgress: 4}},
		"sweep rate":                {Sweep: []Result{{LostMessages: 2}}},
		// One petition lost, and a ticket stored that no petition filed:
		// the counts agree, the tickets do not.
		"missing_tickets 1": {verdict: verdict{TicketsExpected: 3, TicketsStored: 3, UnexpectedTickets: 1, MissingTickets: 1}},
	} {
		if why := r.Failure(); !strings.Contains(why, name) {
			t.Errorf("%s: reason %q", name, why)
		}
	}
}

// Without -limits the bot's own pacing is lifted; with it, its defaults stay.
func TestBotEnvSendRates(t *testing.T) {
	api := tg.NewServer(tg.Config{})
	defer api.Close()
	off := botEnv(&Options{Mode: "polling", Workers: 4}, api)
	if !slices.Contains(off, "SEND_RATE="+liftedSendRate) || !slices.Contains(off, "CHAT_SEND_RATE="+liftedSendRate) {
		t.Fatalf("limits off: %v", off)
	}
	for _, kv := range botEnv(&Options{Mode: "polling", Workers: 4, Limits: true}, api) {
		if strings.Contains(kv, "SEND_RATE=") {
			t.Fatalf("limits on sets %s", kv)
		}
	}
	if botSendLimits(&Options{}) != "lifted" || botSendLimits(&Options{Limits: true}) != "telegram" {
		t.Fatal("flags.bot_send_limits")
	}
}

// A failed callback answer lost nothing only if the query had expired
// (Telegram's 400 "query is too old"): a toast the bot gave up on for any
// other reason, a server error on a query a second old, never reached the
// person and counts in lost_messages.
func TestAnAnswerFailedOnAFreshQueryIsLost(t *testing.T) {
	ctx, db := testDatabase(t)
	if err := storage.MigrateQuiet(ctx, db.db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.ExecContext(ctx, `
		INSERT INTO outbox (channel, chat_id, kind, payload, status, attempts, last_error, created_at) VALUES
		('telegram', '100000001', 'answer', '{"query_id": "q-fresh", "text": "Đã tiếp nhận"}', 'failed', 1,
		 'telegram: 500 Internal Server Error', now()),
		('telegram', '100000002', 'answer', '{"query_id": "q-old", "text": "Đã tiếp nhận"}', 'failed', 2,
		 'permanent failure: Bad Request: query is too old and response timeout expired or query ID is invalid', now() - interval '20 seconds')`); err != nil {
		t.Fatal(err)
	}
	api := tg.NewServer(tg.Config{})
	defer api.Close()
	pending, failed, _ := drain(ctx, db, time.Second)
	fa, err := sortFailedAnswers(ctx, db, api)
	if err != nil {
		t.Fatal(err)
	}
	if lost := lostMessages(0, pending, failed, fa); fa.ExpiredToasts != 1 || lost != 1 {
		t.Fatalf("failed answers sorted %+v: lost %d, want the fresh query's answer lost and the expired one not", fa, lost)
	}
}
