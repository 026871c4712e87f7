package bench

import (
	"slices"
	"strings"
	"testing"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
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
