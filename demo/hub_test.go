package demo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// botCall calls the fake's Bot API as the bot does and returns its result.
func botCall(t *testing.T, api *telegramtest.Server, method string, form url.Values) json.RawMessage {
	t.Helper()
	res, err := http.PostForm(api.URL+"/bot"+api.Token()+"/"+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var out struct {
		OK     bool            `json:"ok"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(body, &out); err != nil || !out.OK {
		t.Fatalf("%s: %s", method, body)
	}
	return out.Result
}

// waitChange reports whether the hub's version moves past since in time.
func waitChange(h *hub, since uint64, within time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	return h.wait(ctx, since) != since
}

// The page is told of every change the bot makes in a chat: a message
// sent, edited or deleted (sealing a petition that became a denunciation
// deletes its photos from the officers' chats). Told of a deletion, the
// open chat drops the deleted photo and the sidebar its count at once.
func TestPageIsToldWhenTheBotDeletesAMessage(t *testing.T) {
	api, err := telegramtest.Listen("127.0.0.1:0", telegramtest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	u := telegramtest.User{ID: 1001, FirstName: "Lan"}
	api.PushText(u, "/start") // the chat exists

	h := newHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go h.watch(ctx, api, u.ID)
	// The watch takes its cursor when it starts: the bot sends until the
	// page is told, so that the message to delete is one it was told of.
	var m struct {
		MessageID int `json:"message_id"`
	}
	told := false
	for i := 0; i < 50 && !told; i++ {
		v := h.current()
		sent := botCall(t, api, "sendMessage", url.Values{"chat_id": {strconv.FormatInt(u.ID, 10)}, "text": {"ảnh của phản ánh"}})
		json.Unmarshal(sent, &m)
		told = waitChange(h, v, 200*time.Millisecond)
	}
	if !told {
		t.Fatal("the page was not told of a message the bot sent")
	}

	v := h.current()
	botCall(t, api, "deleteMessage", url.Values{"chat_id": {strconv.FormatInt(u.ID, 10)}, "message_id": {strconv.Itoa(m.MessageID)}})
	if !waitChange(h, v, 5*time.Second) {
		var shown []string
		for _, x := range api.History(u.ID) {
			shown = append(shown, strings.TrimSpace(x.Text)+map[bool]string{true: " (deleted)"}[x.Deleted])
		}
		t.Fatalf("the bot deleted message #%d but the page's version stayed %d: the open chat keeps showing it (history: %q)", m.MessageID, v, shown)
	}
}
