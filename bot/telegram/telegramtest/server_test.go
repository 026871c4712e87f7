package telegramtest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

func TestConstructorCallsGetMe(t *testing.T) {
	srv := start(t, Config{BotUsername: "custom_bot"})
	bot := newBot(t, srv)
	if !bot.Self.IsBot || bot.Self.UserName != "custom_bot" || bot.Self.ID != 7000000001 {
		t.Fatalf("unexpected bot user %+v", bot.Self)
	}
	if srv.CallCount("getMe") != 1 || srv.CallCount("GETME") != 1 {
		t.Fatalf("getMe calls = %d", srv.CallCount("getMe"))
	}
}

func TestDefaultUsername(t *testing.T) {
	srv := start(t, Config{})
	if got := newBot(t, srv).Self.UserName; got != "danvan_test_bot" {
		t.Fatalf("username %q", got)
	}
}

func TestWrongTokenIs401(t *testing.T) {
	srv := start(t, Config{})
	_, err := tgbotapi.NewBotAPIWithClient("123:wrong", srv.Endpoint(), http.DefaultClient)
	wantAPIError(t, err, 401, "Unauthorized")

	resp, err := http.Get(srv.URL + "/bot123:wrong/getMe")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || strings.TrimSpace(string(body)) != `{"ok":false,"error_code":401,"description":"Unauthorized"}` {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}

// Telegram tells a token that is not shaped like one (the "bot" prefix
// pasted into it, quotes around it) from one it does not know.
func TestMalformedTokenIs404(t *testing.T) {
	srv := start(t, Config{})
	for _, token := range []string{"bot123:wrong", `"123:wrong"`, "123wrong", "123:"} {
		resp, err := http.Get(srv.URL + "/bot" + token + "/getMe")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || strings.TrimSpace(string(body)) != `{"ok":false,"error_code":404,"description":"Not Found"}` {
			t.Errorf("token %s: got %d %s", token, resp.StatusCode, body)
		}
	}
}

func TestUnknownMethodIs404(t *testing.T) {
	srv := start(t, Config{})
	a := rawCall(t, srv, "sendTelepathy", nil)
	if a.Status != 404 || a.Desc != "Not Found" {
		t.Fatalf("got %+v", a)
	}
	bot := newBot(t, srv)
	_, err := bot.MakeRequest("noSuchMethod", nil)
	wantAPIError(t, err, 404, "Not Found")

	resp, err := http.Get(srv.URL + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestMethodNamesAreCaseInsensitive(t *testing.T) {
	srv := start(t, Config{})
	for _, m := range []string{"getme", "GETME", "GetMe"} {
		if a := rawCall(t, srv, m, nil); !a.OK {
			t.Fatalf("%s: %+v", m, a)
		}
	}
	if n := srv.CallCount("getMe"); n != 3 {
		t.Fatalf("calls %d", n)
	}
}

func TestRequestEncodings(t *testing.T) {
	srv := start(t, Config{})
	// Query string with GET.
	resp, err := http.Get(srv.URL + "/bot" + srv.Token() + "/sendMessage?chat_id=1001&text=qs")
	if err != nil {
		t.Fatal(err)
	}
	a := decodeAnswer(t, resp)
	if !a.OK {
		t.Fatalf("GET: %+v", a)
	}
	// JSON with typed values and a nested reply_markup object.
	a = rawJSON(t, srv, "sendMessage", `{"chat_id":1001,"text":"json","reply_markup":{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}}`)
	if !a.OK {
		t.Fatalf("JSON: %+v", a)
	}
	// urlencoded.
	a = rawCall(t, srv, "sendMessage", url.Values{"chat_id": {"1001"}, "text": {"form"}})
	if !a.OK {
		t.Fatalf("form: %+v", a)
	}
	sent := srv.Sent(1001)
	if len(sent) != 3 || sent[0].Text != "qs" || sent[1].Text != "json" || sent[2].Text != "form" {
		t.Fatalf("sent %+v", sent)
	}
	if b, ok := sent[1].Button("A"); !ok || b.CallbackData != "a" {
		t.Fatalf("keyboard %+v", sent[1].InlineKeyboard)
	}
	// Malformed JSON.
	if a := rawJSON(t, srv, "sendMessage", `{"chat_id":`); a.Status != 400 {
		t.Fatalf("bad JSON: %+v", a)
	}
}

func TestRequestLog(t *testing.T) {
	srv := start(t, Config{})
	rawCall(t, srv, "sendMessage", url.Values{"chat_id": {"1001"}, "text": {""}})
	reqs := srv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests %+v", reqs)
	}
	r := reqs[0]
	if r.Method != "sendMessage" || r.ChatID != 1001 || r.Status != 400 || r.Description != "Bad Request: message text is empty" {
		t.Fatalf("request %+v", r)
	}
}

func TestResetKeepsUpdateIDsIncreasing(t *testing.T) {
	srv := start(t, Config{})
	p1 := srv.PushText(citizen, "one")
	srv.Reset()
	if srv.PendingUpdates() != 0 || len(srv.History(citizen.ID)) != 0 {
		t.Fatal("state survived Reset")
	}
	p2 := srv.PushText(citizen, "two")
	if p2.UpdateID <= p1.UpdateID {
		t.Fatalf("update ids %d then %d", p1.UpdateID, p2.UpdateID)
	}
}
