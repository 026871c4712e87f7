package telegramtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// echoBot is a tiny bot loop written as a bot using the library should be
// (not with its GetUpdatesChan, which waits a fixed 3 s on any error and
// ignores retry_after): its own GetUpdates loop with offset confirmation,
// honouring retry_after. It shows how scenario tests drive a real loop.
type echoBot struct {
	api     *tgbotapi.BotAPI
	mu      sync.Mutex
	handled map[int]int // update id -> times handled
}

func (b *echoBot) run(ctx context.Context, offset int) {
	for ctx.Err() == nil {
		cfg := tgbotapi.NewUpdate(offset)
		cfg.Timeout = 1
		ups, err := b.api.GetUpdates(cfg)
		if err != nil {
			wait := 50 * time.Millisecond
			var e *tgbotapi.Error
			if errors.As(err, &e) && e.RetryAfter > 0 {
				wait = time.Duration(e.RetryAfter) * time.Second
			}
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
			continue
		}
		for _, u := range ups {
			b.handle(u)
			offset = u.UpdateID + 1
		}
	}
}

func (b *echoBot) handle(u tgbotapi.Update) {
	b.mu.Lock()
	b.handled[u.UpdateID]++
	b.mu.Unlock()
	switch {
	case u.Message != nil && u.Message.Command() == "start":
		msg := tgbotapi.NewMessage(u.Message.Chat.ID, "<b>Xin chào!</b> Bạn muốn làm gì?")
		msg.ParseMode = tgbotapi.ModeHTML
		msg.ReplyMarkup = tgbotapi.NewInlineKeyboardMarkup(tgbotapi.NewInlineKeyboardRow(
			tgbotapi.NewInlineKeyboardButtonData("Gửi kiến nghị", "new"),
			tgbotapi.NewInlineKeyboardButtonData("Tra cứu", "status")))
		_, _ = b.api.Send(msg)
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		_, _ = b.api.Request(tgbotapi.NewCallback(q.ID, "OK"))
		_, _ = b.api.Send(tgbotapi.NewEditMessageText(q.Message.Chat.ID, q.Message.MessageID, "Mời bạn mô tả kiến nghị"))
	case u.Message != nil:
		_, _ = b.api.Send(tgbotapi.NewMessage(u.Message.Chat.ID, fmt.Sprintf("Đã nhận: %s", u.Message.Text)))
	}
}

func startEchoBot(t *testing.T, srv *Server, offset int) (*echoBot, context.CancelFunc) {
	b := &echoBot{api: newBot(t, srv), handled: map[int]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); b.run(ctx, offset) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return b, stop
}

func TestScenarioStartButtonAndText(t *testing.T) {
	srv := start(t, Config{})
	startEchoBot(t, srv, 0)
	ctx := ctxTimeout(t, 5*time.Second)

	p := srv.PushCommand(citizen, "/start")
	menu, err := srv.WaitReply(ctx, p, HasButton("Gửi kiến nghị"))
	if err != nil {
		t.Fatal(err)
	}
	if menu.Text != "Xin chào! Bạn muốn làm gì?" || menu.Entities[0].Type != "bold" {
		t.Fatalf("menu %+v", menu)
	}

	press, err := srv.PressButton(citizen, citizen.ID, menu.ID, "Gửi kiến nghị")
	if err != nil {
		t.Fatal(err)
	}
	edited, err := srv.WaitReply(ctx, press, TextContains("Mời bạn"))
	if err != nil {
		t.Fatal(err)
	}
	if edited.ID != menu.ID || edited.InlineKeyboard != nil {
		t.Fatalf("edited %+v", edited)
	}
	if a, err := srv.WaitCallbackAnswer(ctx, press.CallbackQueryID); err != nil || a.Text != "OK" {
		t.Fatalf("answer %+v %v", a, err)
	}

	txt := srv.PushText(citizen, "Đèn đường hỏng")
	if _, err := srv.WaitReply(ctx, txt, TextContains("Đã nhận: Đèn đường hỏng")); err != nil {
		t.Fatal(err)
	}
}

func TestScenarioFloodControlHonoured(t *testing.T) {
	srv := start(t, Config{})
	startEchoBot(t, srv, 0)
	// A 429 on getUpdates: the loop must wait retry_after before polling again.
	srv.InjectFault(Fault{Method: "getUpdates", Kind: FaultFlood, RetryAfter: 1, Times: 1})
	p := srv.PushText(citizen, "xin chào")
	if _, err := srv.WaitReply(ctxTimeout(t, 5*time.Second), p, nil); err != nil {
		t.Fatal(err)
	}
	if early := srv.EarlyRetries(); len(early) != 0 {
		t.Fatalf("the bot ignored retry_after: %+v", early)
	}
}

func TestScenarioRestartRedeliversUnconfirmedBatch(t *testing.T) {
	srv := start(t, Config{})
	// The first instance fetches the batch and dies before confirming it.
	crashed := newBot(t, srv)
	p := srv.PushText(citizen, "trước khi sập")
	if ups := poll(t, crashed, 0, 0); len(ups) != 1 {
		t.Fatal("batch not fetched")
	}
	b, _ := startEchoBot(t, srv, 0)
	if _, err := srv.WaitReply(ctxTimeout(t, 5*time.Second), p, nil); err != nil {
		t.Fatal(err)
	}
	if srv.DeliveryCount(p.UpdateID) != 2 {
		t.Fatalf("delivery count %d", srv.DeliveryCount(p.UpdateID))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.handled[p.UpdateID] != 1 {
		t.Fatalf("handled %d times by the new instance", b.handled[p.UpdateID])
	}
}

func TestScenarioManyCitizensConcurrently(t *testing.T) {
	srv := start(t, Config{})
	startEchoBot(t, srv, 0)
	ctx := ctxTimeout(t, 10*time.Second)
	var wg sync.WaitGroup
	errs := make(chan error, 30)
	for i := range 30 {
		wg.Go(func() {
			u := User{ID: int64(10000 + i), FirstName: fmt.Sprintf("Dân %d", i)}
			p := srv.PushText(u, fmt.Sprintf("kiến nghị %d", i))
			if _, err := srv.WaitReply(ctx, p, TextContains(fmt.Sprintf("kiến nghị %d", i))); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
