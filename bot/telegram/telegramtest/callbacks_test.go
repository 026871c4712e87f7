package telegramtest

import (
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestCallbackQueryRoundTrip(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	m := mustSend(t, bot, withKeyboard(tgbotapi.NewMessage(citizen.ID, "Xác nhận gửi?"), "Gửi", "submit:PA-1"))

	p, err := srv.PressButton(citizen, citizen.ID, m.MessageID, "Gửi")
	if err != nil {
		t.Fatal(err)
	}
	ups := poll(t, bot, 0, 0)
	if len(ups) != 1 || ups[0].CallbackQuery == nil {
		t.Fatalf("got %+v", ups)
	}
	cq := ups[0].CallbackQuery
	if cq.ID != p.CallbackQueryID || cq.Data != "submit:PA-1" || cq.From.ID != citizen.ID || cq.ChatInstance == "" {
		t.Fatalf("callback %+v", cq)
	}
	if cq.Message == nil || cq.Message.MessageID != m.MessageID || cq.Message.Chat.ID != citizen.ID ||
		cq.Message.ReplyMarkup == nil || !cq.Message.From.IsBot {
		t.Fatalf("callback message %+v", cq.Message)
	}

	if _, err := bot.Request(tgbotapi.NewCallbackWithAlert(cq.ID, "Đã gửi hồ sơ")); err != nil {
		t.Fatal(err)
	}
	answers := srv.CallbackAnswers()
	if len(answers) != 1 || answers[0].Text != "Đã gửi hồ sơ" || !answers[0].ShowAlert || answers[0].Data != "submit:PA-1" || answers[0].MessageID != m.MessageID {
		t.Fatalf("answers %+v", answers)
	}
	if a, err := srv.WaitCallbackAnswer(ctxTimeout(t, time.Second), cq.ID); err != nil || a.QueryID != cq.ID {
		t.Fatalf("WaitCallbackAnswer %+v %v", a, err)
	}

	// A second answer to the same query fails like on Telegram.
	_, err = bot.Request(tgbotapi.NewCallback(cq.ID, ""))
	wantAPIError(t, err, 400, "Bad Request: "+errQueryTooOld)
	_, err = bot.Request(tgbotapi.NewCallback("no-such-id", ""))
	wantAPIError(t, err, 400, "Bad Request: "+errQueryTooOld)
}

func TestCallbackAnswerLimits(t *testing.T) {
	srv := start(t, Config{CallbackExpiry: 100 * time.Millisecond})
	bot := newBot(t, srv)
	m := mustSend(t, bot, withKeyboard(tgbotapi.NewMessage(citizen.ID, "?"), "OK", "ok"))
	p, _ := srv.PressButton(citizen, citizen.ID, m.MessageID, "OK")

	_, err := bot.Request(tgbotapi.NewCallback(p.CallbackQueryID, strings.Repeat("ư", 201)))
	wantAPIError(t, err, 400, "Bad Request: MESSAGE_TOO_LONG")

	time.Sleep(150 * time.Millisecond)
	_, err = bot.Request(tgbotapi.NewCallback(p.CallbackQueryID, "muộn"))
	wantAPIError(t, err, 400, "Bad Request: "+errQueryTooOld)
}

func TestPushCallbackChecks(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	m := mustSend(t, bot, withKeyboard(tgbotapi.NewMessage(citizen.ID, "?"), "OK", "ok"))
	if _, err := srv.PressButton(citizen, citizen.ID, m.MessageID, "Không có"); err == nil {
		t.Fatal("pressed a missing button")
	}
	if _, err := srv.PushCallback(citizen, citizen.ID, 99, "ok"); err == nil {
		t.Fatal("callback on a missing message")
	}
	if _, err := srv.PushCallback(officer, citizen.ID, m.MessageID, "ok"); err == nil {
		t.Fatal("another user pressed a button in a private chat")
	}
	user := srv.PushText(citizen, "x")
	if _, err := srv.PushCallback(citizen, citizen.ID, user.MessageID, "ok"); err == nil {
		t.Fatal("callback on a user message")
	}
	// Forged data is allowed on purpose.
	if _, err := srv.PushCallback(citizen, citizen.ID, m.MessageID, "forged"); err != nil {
		t.Fatal(err)
	}
}
