package telegramtest

import (
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestFaultServerErrorForNextCalls(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.InjectFault(Fault{Method: "SENDMESSAGE", Times: 2, Status: 502, Description: "Bad Gateway"})
	for range 2 {
		_, err := bot.Send(tgbotapi.NewMessage(citizen.ID, "x"))
		wantAPIError(t, err, 502, "Bad Gateway")
	}
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "x"))
	if n := srv.CallCount("sendMessage"); n != 3 {
		t.Fatalf("calls %d", n)
	}
	if reqs := srv.Requests(); reqs[len(reqs)-2].Status != 502 {
		t.Fatalf("log %+v", reqs[len(reqs)-2])
	}
}

func TestFaultConnectionReset(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.InjectFault(Fault{Method: "getUpdates", Kind: FaultReset, Times: 1})
	_, err := bot.GetUpdates(tgbotapi.NewUpdate(0))
	if err == nil {
		t.Fatal("want a transport error")
	}
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		t.Fatalf("a reset must not look like an API answer: %v", err)
	}
	poll(t, bot, 0, 0) // the next call works
}

func TestFaultNonJSONBody(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	srv.InjectFault(Fault{Method: "sendMessage", Kind: FaultRawBody, Times: 1})
	if _, err := bot.Send(tgbotapi.NewMessage(citizen.ID, "x")); err == nil {
		t.Fatal("want a decode error")
	}
	// The shape telegram-test-api uses for unsupported methods.
	srv.InjectFault(Fault{Method: "getMe", Kind: FaultRawBody, Status: 500, Body: `{"message":"API method getMe is not supported"}`})
	resp, err := http.Get(srv.URL + "/bot" + srv.Token() + "/getMe")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || string(body) != `{"message":"API method getMe is not supported"}` {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

func TestFaultDelayAndChatFilter(t *testing.T) {
	srv := start(t, Config{})
	bot := newBot(t, srv)
	remove := srv.InjectFault(Fault{Kind: FaultDelay, Delay: 150 * time.Millisecond, Jitter: 20 * time.Millisecond, ChatID: citizen.ID})
	began := time.Now()
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "chậm"))
	if d := time.Since(began); d < 120*time.Millisecond {
		t.Fatalf("no delay: %v", d)
	}
	began = time.Now()
	mustSend(t, bot, tgbotapi.NewMessage(officer.ID, "nhanh"))
	if d := time.Since(began); d > 100*time.Millisecond {
		t.Fatalf("other chat delayed: %v", d)
	}
	remove()
	began = time.Now()
	mustSend(t, bot, tgbotapi.NewMessage(citizen.ID, "nhanh"))
	if d := time.Since(began); d > 100*time.Millisecond {
		t.Fatalf("delay not removed: %v", d)
	}
}

func TestFaultOnDownloads(t *testing.T) {
	srv := start(t, Config{})
	p := srv.PushDocument(citizen, "a.txt", "text/plain", []byte("abc"), "")
	bot := newBot(t, srv)
	f, _ := bot.GetFile(tgbotapi.FileConfig{FileID: p.FileID})
	srv.InjectFault(Fault{Method: "file", Times: 1, Status: 503})
	if status, _ := download(t, srv.FileURL(f.FilePath)); status != 503 {
		t.Fatalf("status %d", status)
	}
	if status, body := download(t, srv.FileURL(f.FilePath)); status != 200 || string(body) != "abc" {
		t.Fatalf("status %d %q", status, body)
	}
	srv.ClearFaults()
}
