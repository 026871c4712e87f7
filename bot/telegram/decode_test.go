package telegram_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram"
)

type decodeCase struct {
	name string
	raw  string
	want bot.Event
}

// decodeCases are real update shapes and the events they decode to; the
// fuzz target starts from them too.
func decodeCases() []decodeCase {
	at := time.Unix(1764000000, 0)
	from := `"from":{"id":42,"is_bot":false,"first_name":"Lan","last_name":"Nguyễn","language_code":"vi"}`
	private := `"chat":{"id":42,"type":"private","first_name":"Lan"}`
	origin := bot.Event{Channel: "telegram", UpdateID: 7, Chat: bot.Chat{ID: "42"},
		From: bot.User{ID: "42", Name: "Lan Nguyễn", Language: "vi"}, MessageID: "5", Time: at}
	with := func(f func(*bot.Event)) bot.Event {
		ev := origin
		f(&ev)
		return ev
	}
	message := func(body string) string {
		return `{"update_id":7,"message":{"message_id":5,` + from + `,` + private + `,"date":1764000000,` + body + `}}`
	}

	return []decodeCase{
		{"text", message(`"text":"Đèn đường hỏng"`),
			with(func(e *bot.Event) { e.Text = "Đèn đường hỏng" })},
		{"command with arguments", message(`"text":"/Status  PA-2026-000001 ","entities":[{"type":"bot_command","offset":0,"length":7}]`),
			with(func(e *bot.Event) { e.Command, e.Args = "status", "PA-2026-000001" })},
		{"command for this bot", message(`"text":"/start@Danvan_Bot","entities":[{"type":"bot_command","offset":0,"length":17}]`),
			with(func(e *bot.Event) { e.Command = "start" })},
		{"command for another bot is text", message(`"text":"/start@other_bot","entities":[{"type":"bot_command","offset":0,"length":16}]`),
			with(func(e *bot.Event) { e.Text = "/start@other_bot" })},
		{"slash without entity is text", message(`"text":"/start"`),
			with(func(e *bot.Event) { e.Text = "/start" })},
		{"command not at the start is text", message(`"text":"xem /help","entities":[{"type":"bot_command","offset":4,"length":5}]`),
			with(func(e *bot.Event) { e.Text = "xem /help" })},
		{"photo picks the largest size", message(`"caption":"Ổ gà","photo":[
				{"file_id":"s","file_unique_id":"us","width":90,"height":67,"file_size":900},
				{"file_id":"l","file_unique_id":"ul","width":1280,"height":960,"file_size":90000},
				{"file_id":"m","file_unique_id":"um","width":320,"height":240,"file_size":9000}]`),
			with(func(e *bot.Event) {
				e.Text = "Ổ gà"
				e.Photo = &bot.File{ID: "l", UniqueID: "ul", Size: 90000, MIME: "image/jpeg"}
			})},
		{"document", message(`"document":{"file_id":"d","file_unique_id":"ud","file_name":"don.pdf","mime_type":"application/pdf","file_size":1234}`),
			with(func(e *bot.Event) {
				e.Document = &bot.File{ID: "d", UniqueID: "ud", Size: 1234, MIME: "application/pdf", Name: "don.pdf"}
			})},
		{"animation is not a document", message(`"animation":{"file_id":"a"},"document":{"file_id":"a","file_unique_id":"ua"}`),
			with(func(e *bot.Event) { e.Unsupported = "animation" })},
		{"location", message(`"location":{"latitude":21.0285,"longitude":105.8542}`),
			with(func(e *bot.Event) { e.Location = &bot.Location{Latitude: 21.0285, Longitude: 105.8542} })},
		{"venue counts as its location", message(`"venue":{"title":"UBND"},"location":{"latitude":10.5,"longitude":106.5}`),
			with(func(e *bot.Event) { e.Location = &bot.Location{Latitude: 10.5, Longitude: 106.5} })},
		{"contact", message(`"contact":{"phone_number":"+84901234567","first_name":"Lan","user_id":42}`),
			with(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "+84901234567", UserID: "42", Name: "Lan"} })},
		{"contact of someone without an account", message(`"contact":{"phone_number":"0901234567","first_name":"Bà","last_name":"Tư"}`),
			with(func(e *bot.Event) { e.Contact = &bot.Contact{Phone: "0901234567", Name: "Bà Tư"} })},
		{"sticker", message(`"sticker":{"file_id":"st","emoji":"👍"}`),
			with(func(e *bot.Event) { e.Unsupported = "sticker" })},
		{"voice", message(`"voice":{"file_id":"v","duration":3}`),
			with(func(e *bot.Event) { e.Unsupported = "voice" })},
		{"service message", message(`"new_chat_title":"Tổ tiếp dân"`),
			with(func(e *bot.Event) { e.Unsupported = "other" })},
		{"group", `{"update_id":7,"message":{"message_id":5,` + from + `,"chat":{"id":-1001234,"type":"supergroup","title":"Tổ tiếp dân"},"date":1764000000,"text":"ok"}}`,
			with(func(e *bot.Event) {
				e.Chat = bot.Chat{ID: "-1001234", Group: true, Title: "Tổ tiếp dân"}
				e.Text = "ok"
			})},
		{"edited message", `{"update_id":7,"edited_message":{"message_id":5,` + from + `,` + private + `,"date":1764000000,"edit_date":1764000100,"text":"sửa"}}`,
			with(func(e *bot.Event) { e.Unsupported = "edited_message" })},
		{"live location moving is not an edit to answer", `{"update_id":7,"edited_message":{"message_id":5,` + from + `,` + private + `,"date":1764000000,"edit_date":1764000100,
				"location":{"latitude":16.033,"longitude":108.222,"live_period":900,"heading":90}}}`,
			bot.Event{Channel: "telegram", UpdateID: 7, Unsupported: "live_location"}},
		{"a group became a supergroup", `{"update_id":7,"message":{"message_id":5,` + from + `,"chat":{"id":-4001,"type":"group","title":"Tổ"},"date":1764000000,"migrate_to_chat_id":-1004001}}`,
			with(func(e *bot.Event) {
				e.Chat = bot.Chat{ID: "-4001", Group: true, Title: "Tổ"}
				e.MovedTo = "-1004001"
			})},
		{"callback query", `{"update_id":7,"callback_query":{"id":"987","chat_instance":"-55",` + from + `,"data":"p:kind:gop_y",
				"message":{"message_id":11,"from":{"id":7000000001,"is_bot":true,"first_name":"Bot"},` + private + `,"date":1764000000,"text":"Chọn loại"}}}`,
			with(func(e *bot.Event) {
				e.MessageID = ""
				e.Button = &bot.Button{QueryID: "987", Data: "p:kind:gop_y", MessageID: "11"}
			})},
		{"callback query on an inline message", `{"update_id":7,"callback_query":{"id":"988",` + from + `,"inline_message_id":"AAA","data":"x"}}`,
			with(func(e *bot.Event) {
				e.MessageID, e.Time = "", time.Time{}
				e.Button = &bot.Button{QueryID: "988", Data: "x"}
			})},
		{"membership change has no chat to answer", `{"update_id":7,"my_chat_member":{"chat":{"id":42,"type":"private"},` + from + `,"date":1764000000,
				"old_chat_member":{"status":"member","user":{"id":1,"is_bot":true,"first_name":"B"}},"new_chat_member":{"status":"kicked","user":{"id":1,"is_bot":true,"first_name":"B"}}}}`,
			bot.Event{Channel: "telegram", UpdateID: 7, Unsupported: "my_chat_member"}},
		{"unknown update type", `{"update_id":7,"poll_answer":{"poll_id":"1"}}`,
			bot.Event{Channel: "telegram", UpdateID: 7, Unsupported: "update"}},

		// Shapes the telegram-test-api emulator produces.
		{"emulator message without from, date in ms", `{"update_id":7,"message":{"message_id":5,` + private + `,"date":1764000000000,"text":"hi"}}`,
			with(func(e *bot.Event) { e.From = bot.User{}; e.Text = "hi" })},
		{"emulator callback without message_id and chat_instance", `{"update_id":7,"callback_query":{"id":"1",` + from + `,"data":"m:new",
				"message":{` + private + `,"text":"Menu"}}}`,
			with(func(e *bot.Event) {
				e.MessageID, e.Time = "", time.Time{}
				e.Button = &bot.Button{QueryID: "1", Data: "m:new"}
			})},
		{"emulator callback without message", `{"update_id":7,"callback_query":{"id":"2",` + from + `,"data":"m:new"}}`,
			with(func(e *bot.Event) {
				e.MessageID, e.Time = "", time.Time{}
				e.Button = &bot.Button{QueryID: "2", Data: "m:new"}
			})},
	}
}

func TestDecode(t *testing.T) {
	dec := telegram.NewDecoder("danvan_bot")
	for _, tt := range decodeCases() {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dec.Decode(json.RawMessage(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeRejectsMalformedJSON(t *testing.T) {
	if _, err := telegram.NewDecoder("").Decode(json.RawMessage(`{"update_id":`)); err == nil {
		t.Fatal("no error")
	}
}

func TestChatKey(t *testing.T) {
	tests := map[string]string{
		`{"update_id":1,"message":{"message_id":1,"chat":{"id":42,"type":"private"},"text":"a"}}`:                  "telegram:42",
		`{"update_id":1,"edited_message":{"message_id":1,"chat":{"id":-100,"type":"group"},"text":"a"}}`:           "telegram:-100",
		`{"update_id":1,"callback_query":{"id":"1","from":{"id":42},"message":{"chat":{"id":-7,"type":"group"}}}}`: "telegram:-7",
		`{"update_id":1,"callback_query":{"id":"1","from":{"id":42},"inline_message_id":"x"}}`:                     "telegram:42",
		`{"update_id":1,"my_chat_member":{"chat":{"id":42,"type":"private"}}}`:                                     "telegram:42",
		`{"update_id":1,"poll_answer":{}}`: "telegram:none",
		`not json`:                         "telegram:undecodable",
	}
	for raw, want := range tests {
		if got := telegram.ChatKey(json.RawMessage(raw)); got != want {
			t.Errorf("ChatKey(%s) = %q, want %q", raw, got, want)
		}
	}
}
