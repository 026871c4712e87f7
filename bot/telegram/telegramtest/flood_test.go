package telegramtest

import (
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestFloodControlIsOffByDefault(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	for range 50 {
		mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "nhanh"))
	}
	if v := srv.FloodViolations(); len(v) != 0 {
		t.Fatalf("violations %+v", v)
	}
}

func TestPerChatFloodControl(t *testing.T) {
	srv := start(t, Config{Flood: FloodConfig{Enabled: true, PrivatePerSecond: 1, PrivateBurst: 2}})
	bot := newBot(t, srv)
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "1"))
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "2"))
	_, err := bot.Send(tgbotapi.NewMessage(citizen.ID, "3"))
	e := tgError(t, err)
	if e.Code != 429 || e.RetryAfter != 1 || e.Message != "Too Many Requests: retry after 1" {
		t.Fatalf("got %+v", e)
	}
	// Another chat has its own bucket.
	mustSend(t, bot, tgbotapi.NewMessage(officer.ID, "khác"))

	// Retrying at once ignores retry_after: recorded as early.
	_, err = bot.Send(tgbotapi.NewMessage(citizen.ID, "3"))
	if tgError(t, err).Code != 429 {
		t.Fatal("early retry accepted")
	}
	early := srv.EarlyRetries()
	if len(early) != 1 || early[0].ChatID != citizen.ID || early[0].Method != "sendMessage" {
		t.Fatalf("early %+v", early)
	}

	// Honouring retry_after works and is not flagged.
	time.Sleep(time.Duration(e.RetryAfter) * time.Second)
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "3"))
	v := srv.FloodViolations()
	if len(v) != 2 || v[0].Early || v[0].Scope != "chat" || v[0].RetryAfter != 1 {
		t.Fatalf("violations %+v", v)
	}
	if len(srv.EarlyRetries()) != 1 {
		t.Fatal("the honoured retry was flagged")
	}
}

func TestGlobalAndGroupFloodControl(t *testing.T) {
	srv := start(t, Config{Flood: FloodConfig{Enabled: true, GlobalPerSecond: 1, GlobalBurst: 3, GroupPerMinute: 20, GroupBurst: 1}})
	bot := newBot(t, srv)
	group := int64(-4001)
	mustSend(t, bot, tgbotapi.NewMessage(group, "1"))
	_, err := bot.Send(tgbotapi.NewMessage(group, "2"))
	if e := tgError(t, err); e.Code != 429 || e.RetryAfter != 3 {
		t.Fatalf("group: %+v", e)
	}
	mustSend(t, bot, tgbotapi.NewMessage(1, "a"))
	mustSend(t, bot, tgbotapi.NewMessage(2, "b"))
	_, err = bot.Send(tgbotapi.NewMessage(3, "c"))
	if e := tgError(t, err); e.Code != 429 {
		t.Fatalf("global: %+v", e)
	}
	v := srv.FloodViolations()
	if len(v) != 2 || v[0].Scope != "group" || v[1].Scope != "global" {
		t.Fatalf("violations %+v", v)
	}
	// Parked globally: any chat is early now.
	_, err = bot.Send(tgbotapi.NewMessage(4, "d"))
	if tgError(t, err).Code != 429 || len(srv.EarlyRetries()) != 1 {
		t.Fatalf("early %+v", srv.EarlyRetries())
	}
}

func TestInjected429IsTrackedLikeARealOne(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.InjectFault(Fault{Method: "sendMessage", Kind: FaultFlood, RetryAfter: 7, Times: 1})
	_, err := bot.Send(tgbotapi.NewMessage(citizen.ID, "x"))
	e := tgError(t, err)
	if e.Code != 429 || e.RetryAfter != 7 || e.Message != "Too Many Requests: retry after 7" {
		t.Fatalf("got %+v", e)
	}
	_, err = bot.Send(tgbotapi.NewMessage(citizen.ID, "x"))
	if tgError(t, err).Code != 429 {
		t.Fatal("the chat is parked for 7 seconds")
	}
	v := srv.FloodViolations()
	if len(v) != 2 || !v[0].Injected || !v[1].Early {
		t.Fatalf("violations %+v", v)
	}
	mustSend(t, bot, tgbotapi.NewMessage(officer.ID, "other chats are fine"))
}
