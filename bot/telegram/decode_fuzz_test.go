package telegram_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram"
)

// FuzzDecode feeds arbitrary payloads to the decoder. It must never panic;
// a payload it accepts must give a coherent Event, the same each time, in
// the chat ChatKey files the update under.
func FuzzDecode(f *testing.F) {
	for _, c := range decodeCases() {
		f.Add(c.raw)
	}
	for _, raw := range []string{
		// A group command with arguments and Vietnamese text.
		`{"update_id":901,"message":{"message_id":77,"from":{"id":5001,"first_name":"Minh","language_code":"vi"},
			"chat":{"id":-100777,"type":"supergroup","title":"Tổ xử lý phường"},"date":1764000500,
			"text":"/reply@danvan_bot PA-2026-000001 Đã xử lý xong","entities":[{"type":"bot_command","offset":0,"length":17}]}}`,
		// A command preceded by an astral character: entity lengths are UTF-16.
		`{"update_id":902,"message":{"message_id":78,"chat":{"id":42,"type":"private"},"date":1764000500,
			"text":"/😀x y","entities":[{"type":"bot_command","offset":0,"length":3}]}}`,
		// Entities that lie about the text.
		`{"update_id":903,"message":{"chat":{"id":42,"type":"private"},"text":"/","entities":[{"type":"bot_command","offset":0,"length":99}]}}`,
		`{"update_id":904,"message":{"chat":{"id":42,"type":"private"},"text":"ab","entities":[{"type":"bot_command","offset":0,"length":-3}]}}`,
		`{"update_id":905,"message":{"chat":{"id":42,"type":"private"},"text":"/@danvan_bot x","entities":[{"type":"bot_command","offset":0,"length":12}]}}`,
		// A photo without sizes, a document with a caption, a shared location.
		`{"update_id":906,"message":{"message_id":1,"chat":{"id":42,"type":"private"},"photo":[],"caption":"x"}}`,
		`{"update_id":907,"message":{"message_id":1,"chat":{"id":42,"type":"private"},"document":{"file_id":"d"},"caption":"Đơn"}}`,
		`{"update_id":908,"message":{"message_id":1,"chat":{"id":42,"type":"private"},"location":{"latitude":-91,"longitude":1e308}}}`,
		// Escapes that are not valid text, and a message without a chat.
		`{"update_id":909,"message":{"chat":{"id":42,"type":"private"},"text":"\ud800\u0000<b>"}}`,
		`{"update_id":910,"message":{"text":"no chat"}}`,
		`{"update_id":911,"callback_query":{"id":"","data":"p:kind:set:phan_anh","message":{"message_id":3}}}`,
		`{"update_id":912,"edited_message":{"message_id":5,"chat":{"id":42,"type":"private"},"photo":[{"file_id":"p"}]}}`,
		`{"update_id":913,"message":null,"callback_query":{"id":"1","from":{"id":9}}}`,
		`{"update_id":1e3}`, `[]`, `null`, `{}`, `{"message":{"chat":{"id":"42"}}}`,
	} {
		f.Add(raw)
	}

	decoders := []telegram.Decoder{telegram.NewDecoder("danvan_bot"), telegram.NewDecoder("")}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, dec := range decoders {
			ev, err := dec.Decode(json.RawMessage(raw))
			if err != nil {
				if diff := cmp.Diff(bot.Event{}, ev); diff != "" {
					t.Fatalf("a failed decode returned an event: %s", diff)
				}
				continue
			}
			checkEvent(t, raw, ev)
			again, _ := dec.Decode(json.RawMessage(raw))
			if diff := cmp.Diff(ev, again); diff != "" {
				t.Fatalf("decoding twice differs: %s", diff)
			}
		}
	})
}

// checkEvent asserts what bot.Event promises about a decoded update.
func checkEvent(t *testing.T, raw string, ev bot.Event) {
	t.Helper()
	if ev.Channel != "telegram" {
		t.Fatalf("channel %q", ev.Channel)
	}

	// Exactly one content; Text rides along with a photo or document.
	contents := 0
	for _, set := range []bool{ev.Command != "", ev.Photo != nil, ev.Document != nil, ev.Location != nil,
		ev.Contact != nil, ev.Button != nil, ev.Unsupported != "", ev.MovedTo != "",
		ev.Text != "" && ev.Photo == nil && ev.Document == nil} {
		if set {
			contents++
		}
	}
	if contents != 1 {
		t.Fatalf("%d contents in %+v", contents, ev)
	}

	if ev.Command != "" {
		if ev.Command != strings.ToLower(ev.Command) || strings.HasPrefix(ev.Command, "/") || strings.Contains(ev.Command, "@") {
			t.Fatalf("command %q: not lower case, or with its slash or bot", ev.Command)
		}
	}
	if ev.Args != strings.TrimSpace(ev.Args) {
		t.Fatalf("args %q not trimmed", ev.Args)
	}

	// Every text is valid UTF-8: the handlers store and echo it.
	texts := []string{ev.Text, ev.Command, ev.Args, ev.Chat.Title, ev.From.Name, ev.From.Language, ev.Unsupported}
	for _, file := range []*bot.File{ev.Photo, ev.Document} {
		if file != nil {
			texts = append(texts, file.ID, file.UniqueID, file.MIME, file.Name)
		}
	}
	if ev.Contact != nil {
		texts = append(texts, ev.Contact.Phone, ev.Contact.Name)
	}
	if ev.Button != nil {
		texts = append(texts, ev.Button.QueryID, ev.Button.Data)
	}
	for _, s := range texts {
		if !utf8.ValidString(s) {
			t.Fatalf("invalid UTF-8 %q in %+v", s, ev)
		}
	}

	// Ids are Telegram's integers, and the event's chat is the one the
	// inbox orders it by: replies go where its turn was taken.
	for _, id := range []string{ev.Chat.ID, ev.From.ID, ev.MessageID} {
		if id != "" {
			if _, err := strconv.ParseInt(id, 10, 64); err != nil {
				t.Fatalf("id %q is not an integer", id)
			}
		}
	}
	if ev.Contact != nil && ev.Contact.UserID != "" {
		if _, err := strconv.ParseInt(ev.Contact.UserID, 10, 64); err != nil {
			t.Fatalf("contact user id %q", ev.Contact.UserID)
		}
	}
	if ev.Chat.ID == "" {
		if ev.Chat.Group || ev.Chat.Title != "" {
			t.Fatalf("a chat without an id: %+v", ev.Chat)
		}
	} else if key := telegram.ChatKey(json.RawMessage(raw)); key != "telegram:"+ev.Chat.ID {
		t.Fatalf("event in chat %s, but ChatKey %s", ev.Chat.ID, key)
	}
	if !ev.Time.IsZero() && ev.Time.Unix() <= 0 {
		t.Fatalf("time %v before 1970", ev.Time)
	}
}
