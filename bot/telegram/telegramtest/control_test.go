package telegramtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestWaitForSeesExistingAndFutureMessages(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "đã có"))
	if m, err := srv.WaitFor(ctxTimeout(t, time.Second), citizen.ID, TextContains("đã có")); err != nil || m.Text != "đã có" {
		t.Fatalf("existing: %+v %v", m, err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		_, _ = bot.Send(withKeyboard(tgbotapi.NewMessage(citizen.ID, "mới"), "OK", "ok"))
	}()
	m, err := srv.WaitFor(ctxTimeout(t, 2*time.Second), citizen.ID, All(TextContains("mới"), HasButton("OK")))
	if err != nil || m.Text != "mới" {
		t.Fatalf("future: %+v %v", m, err)
	}
}

func TestWaitReplyIgnoresOlderMessagesButSeesEdits(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	old := mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "Trạng thái: mới"))
	p := srv.PushText(citizen, "cập nhật?")

	_, err := srv.WaitReply(ctxTimeout(t, 100*time.Millisecond), p, TextContains("Trạng thái"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "Trạng thái: mới") {
		t.Fatalf("want a timeout listing the chat's messages, got %v", err)
	}
	mustSend(t, bot, tgbotapi.NewEditMessageText(citizen.ID, old.MessageID, "Trạng thái: đang xử lý"))
	m, err := srv.WaitReply(ctxTimeout(t, time.Second), p, nil)
	if err != nil || m.ID != old.MessageID || m.EditCount != 1 {
		t.Fatalf("edit after push: %+v %v", m, err)
	}
}

func TestWaitEndsOnClose(t *testing.T) {
	srv := NewServer(Config{})
	errc := make(chan error, 1)
	go func() {
		_, err := srv.WaitFor(context.Background(), citizen.ID, nil)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	srv.Close()
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v", err)
	}
}

func TestPushKinds(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.PushLocation(citizen, 21.0285, 105.8542)
	srv.PushContact(citizen, "+84901234567")
	doc := srv.PushDocument(citizen, "don.pdf", "", []byte("%PDF-1.7"), "Đơn kiến nghị")
	first := srv.PushText(citizen, "sai chính tả")
	if _, err := srv.PushEdit(citizen, citizen.ID, first.MessageID, "đúng chính tả"); err != nil {
		t.Fatal(err)
	}
	reply, err := srv.PushMessage(Incoming{From: citizen, Text: "trả lời", ReplyTo: first.MessageID})
	if err != nil {
		t.Fatal(err)
	}

	ups := poll(t, bot, 0, 0)
	if len(ups) != 6 {
		t.Fatalf("got %d updates", len(ups))
	}
	if l := ups[0].Message.Location; l == nil || l.Latitude != 21.0285 {
		t.Fatalf("location %+v", ups[0].Message)
	}
	if c := ups[1].Message.Contact; c == nil || c.PhoneNumber != "+84901234567" || c.UserID != citizen.ID || c.FirstName != "Lan" {
		t.Fatalf("contact %+v", ups[1].Message)
	}
	if d := ups[2].Message.Document; d == nil || d.FileID != doc.FileID || d.MimeType != "application/pdf" || ups[2].Message.Caption != "Đơn kiến nghị" {
		t.Fatalf("document %+v", ups[2].Message)
	}
	if e := ups[4].EditedMessage; e == nil || e.Text != "đúng chính tả" || e.MessageID != first.MessageID || e.EditDate == 0 {
		t.Fatalf("edited %+v", ups[4])
	}
	if r := ups[5].Message; r.ReplyToMessage == nil || r.ReplyToMessage.MessageID != first.MessageID || reply.MessageID != r.MessageID {
		t.Fatalf("reply %+v", r)
	}
	if u := ups[0].Message.From; u.LanguageCode != "vi" || u.UserName != "lan_ng" || u.LastName != "Nguyễn" {
		t.Fatalf("user %+v", u)
	}
}

func TestPushValidation(t *testing.T) {
	srv := start(t, Config{})
	for _, in := range []Incoming{
		{From: citizen},
		{From: User{}, Text: "x"},
		{From: citizen, Text: "x", Location: &Location{}},
		{From: citizen, Text: strings.Repeat("a", 4097)},
		{From: citizen, Text: "x", Caption: "c"},
		{From: citizen, Chat: &Chat{ID: 5, Type: ChatGroup}, Text: "x"},
		{From: citizen, Text: "x", ReplyTo: 99},
	} {
		if _, err := srv.PushMessage(in); err == nil {
			t.Errorf("%+v: want error", in)
		}
	}
	if err := srv.AddChat(Chat{ID: -1, Type: "channel"}); err == nil {
		t.Error("channel accepted")
	}
	defer func() {
		if recover() == nil {
			t.Error("PushText with an invalid user must panic")
		}
	}()
	srv.PushText(User{}, "x")
}
