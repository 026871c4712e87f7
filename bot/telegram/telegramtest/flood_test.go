package telegramtest

import (
	"fmt"
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
	srv := start(t, Config{Flood: FloodConfig{Enabled: true, GlobalPerSecond: 1, GlobalBurst: 3, GroupPerMinute: 1}})
	bot := newBot(t, srv)
	group := int64(-4001)
	mustSend(t, bot, tgbotapi.NewMessage(group, "1"))
	_, err := bot.Send(tgbotapi.NewMessage(group, "2"))
	if e := tgError(t, err); e.Code != 429 || e.RetryAfter != 60 {
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

// Telegram lets a bot send at most 20 messages a minute to one group
// (telegram.md §2). The fake counts them over a sliding minute: after 20
// at once, the 21st is refused until the first is a minute old, so a bot
// that honours retry_after cannot get a 21st message into that minute
// (a bucket of 20 refilling at 20 a minute would let up to 40 in).
func TestGroupGetsAtMost20MessagesAMinute(t *testing.T) {
	srv := start(t, Config{Flood: FloodConfig{Enabled: true}})
	bot := newBot(t, srv)
	group := int64(-4002)
	begin := time.Now()
	for i := range 20 {
		mustSend(t, bot, tgbotapi.NewMessage(group, fmt.Sprint("tin ", i+1)))
	}
	_, err := bot.Send(tgbotapi.NewMessage(group, "tin 21"))
	e := tgError(t, err)
	if e.Code != 429 {
		t.Fatalf("the 21st message in %v was not refused: %+v", time.Since(begin), e)
	}
	if wait := time.Duration(e.RetryAfter) * time.Second; time.Since(begin)+wait < time.Minute {
		t.Fatalf("retry_after %d s lets a 21st message into the group %v after the first",
			e.RetryAfter, (time.Since(begin) + wait).Round(time.Millisecond))
	}
	if v := srv.FloodViolations(); len(v) != 1 || v[0].Scope != "group" || v[0].ChatID != group {
		t.Fatalf("violations %+v", v)
	}
	// Other groups have their own minute.
	mustSend(t, bot, tgbotapi.NewMessage(group-1, "nhóm khác"))
}

// The group's minute slides: a message is allowed as soon as the oldest
// of the last 20 is a minute old, and not before.
func TestGroupMinuteSlides(t *testing.T) {
	w := &window{max: 20}
	t0 := time.Unix(1_700_000_000, 0)
	for i := range 20 {
		if d := w.wait(t0.Add(time.Duration(i) * 3 * time.Second)); d != 0 {
			t.Fatalf("message %d waits %v", i+1, d)
		}
		w.take(t0.Add(time.Duration(i) * 3 * time.Second))
	}
	for _, c := range []struct {
		at, want time.Duration
	}{
		{57 * time.Second, 3 * time.Second},
		{59500 * time.Millisecond, 500 * time.Millisecond},
		{time.Minute, 0},
	} {
		if d := w.wait(t0.Add(c.at)); d != c.want {
			t.Errorf("at %v: wait %v, want %v", c.at, d, c.want)
		}
	}
	w.take(t0.Add(time.Minute))
	if d := w.wait(t0.Add(time.Minute)); d != 3*time.Second {
		t.Errorf("after the 21st: wait %v, want the second message's minute (3s)", d)
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
