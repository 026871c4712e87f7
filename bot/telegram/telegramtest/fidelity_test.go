package telegramtest

// Where Telegram refuses what a lenient fake would let the bot depend on.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// sendWithMarkup sends a text with an optional reply_markup and returns the
// message id.
func sendWithMarkup(t *testing.T, srv *Server, chatID int64, text, markup string) int {
	t.Helper()
	form := url.Values{"chat_id": {strconv.FormatInt(chatID, 10)}, "text": {text}}
	if markup != "" {
		form.Set("reply_markup", markup)
	}
	a := rawCall(t, srv, "sendMessage", form)
	if !a.OK {
		t.Fatalf("sendMessage: %d %s", a.Code, a.Desc)
	}
	var m struct {
		MessageID int `json:"message_id"`
	}
	if err := jsonUnmarshalString(string(a.Result), &m); err != nil || m.MessageID == 0 {
		t.Fatalf("sendMessage result %s: %v", a.Result, err)
	}
	return m.MessageID
}

// Bot API, deleteMessage: "A message can only be deleted if it was sent
// less than 48 hours ago."
func TestDeletingAMessageOlderThan48HoursIsRefused(t *testing.T) {
	srv := start(t, Config{})
	srv.PushText(citizen, "xin chào")
	id := sendWithMarkup(t, srv, citizen.ID, "Phiếu PA-1", "")

	srv.mu.Lock()
	srv.st.chats[citizen.ID].byID[id].Date = time.Now().Add(-49 * time.Hour)
	srv.mu.Unlock()

	a := rawCall(t, srv, "deleteMessage", url.Values{
		"chat_id": {strconv.FormatInt(citizen.ID, 10)}, "message_id": {strconv.Itoa(id)}})
	if a.OK || a.Code != http.StatusBadRequest || !strings.Contains(a.Desc, "can't be deleted") {
		t.Fatalf("deleting a 49-hour-old message: want 400 \"message can't be deleted\", got ok=%v %d %q", a.OK, a.Code, a.Desc)
	}
}

// Bot API, deleteMessage: bots "can delete outgoing messages in private
// chats, groups, and supergroups", "incoming messages in private chats",
// and "if the bot is an administrator of a group, it can delete any
// message there". The fake's bot is no administrator.
func TestDeletingAMembersGroupMessageIsRefused(t *testing.T) {
	srv := start(t, Config{})
	group := GroupChat(-4001, "Tổ tiếp dân")
	p := srv.PushGroupText(group, officer, "/inbox")

	a := rawCall(t, srv, "deleteMessage", url.Values{
		"chat_id": {strconv.FormatInt(group.ID, 10)}, "message_id": {strconv.Itoa(p.MessageID)}})
	if a.OK || a.Code != http.StatusBadRequest {
		t.Fatalf("non-admin bot deleting a member's group message: want 400 \"message can't be deleted\", got ok=%v %d %q", a.OK, a.Code, a.Desc)
	}
}

// Bot API, "Updating messages": "it is currently only possible to edit
// messages without reply_markup or with inline keyboards". A message sent
// with a reply keyboard, remove_keyboard or force_reply gives 400 "message
// can't be edited" (tdlib/td#3196, node-telegram-bot-api#755,
// aiogram#921).
func TestEditingAMessageSentWithAReplyKeyboardIsRefused(t *testing.T) {
	srv := start(t, Config{})
	srv.PushText(citizen, "xin chào")
	for name, markup := range map[string]string{
		"reply keyboard":  `{"keyboard":[[{"text":"Bỏ qua"}]],"one_time_keyboard":true}`,
		"remove_keyboard": `{"remove_keyboard":true}`,
		"force_reply":     `{"force_reply":true,"selective":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			id := sendWithMarkup(t, srv, citizen.ID, "Nhập mô tả", markup)
			a := rawCall(t, srv, "editMessageText", url.Values{
				"chat_id": {strconv.FormatInt(citizen.ID, 10)}, "message_id": {strconv.Itoa(id)}, "text": {"Đã huỷ"}})
			if a.OK || a.Code != http.StatusBadRequest || !strings.Contains(a.Desc, "message can't be edited") {
				t.Fatalf("edit of a message sent with %s: want 400 \"message can't be edited\", got ok=%v %d %q", name, a.OK, a.Code, a.Desc)
			}
		})
	}
}

// Bot API, KeyboardButton.request_contact / request_location: "Available
// in private chats only." Telegram refuses such a keyboard in a group with
// 400 "location can be requested in a private chats only"
// (node-telegram-bot-api#612).
func TestRequestButtonsAreForPrivateChatsOnly(t *testing.T) {
	srv := start(t, Config{})
	group := GroupChat(-4002, "Tổ tiếp dân")
	if err := srv.AddChat(group); err != nil {
		t.Fatal(err)
	}
	for name, markup := range map[string]string{
		"request_location": `{"keyboard":[[{"text":"Gửi vị trí","request_location":true}]]}`,
		"request_contact":  `{"keyboard":[[{"text":"Gửi số điện thoại","request_contact":true}]]}`,
	} {
		t.Run(name, func(t *testing.T) {
			a := rawCall(t, srv, "sendMessage", url.Values{
				"chat_id": {strconv.FormatInt(group.ID, 10)}, "text": {"Chia sẻ"}, "reply_markup": {markup}})
			if a.OK || a.Code != http.StatusBadRequest {
				t.Fatalf("%s keyboard in a group: want 400 (private chats only), got ok=%v %d %q", name, a.OK, a.Code, a.Desc)
			}
		})
	}
}
