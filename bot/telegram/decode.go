package telegram

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/danvan-vn/danvan/bot"
)

// The decoder reads raw updates with its own small types rather than the
// library's: only the fields danvan uses are declared, every pointer may be
// nil, and a field Telegram adds or reshapes later cannot make an update
// undecodable. Updates from the telegram-test-api emulator lack "from" on
// some messages, message ids on callbacks, and carry dates in
// milliseconds; all of that decodes.

type wireUpdate struct {
	UpdateID      int64        `json:"update_id"`
	Message       *wireMessage `json:"message"`
	EditedMessage *wireMessage `json:"edited_message"`
	CallbackQuery *struct {
		ID      string       `json:"id"`
		From    *wireUser    `json:"from"`
		Message *wireMessage `json:"message"`
		Data    string       `json:"data"`
	} `json:"callback_query"`
	MyChatMember *struct {
		Chat *wireChat `json:"chat"`
	} `json:"my_chat_member"`
}

type wireMessage struct {
	MessageID int64     `json:"message_id"`
	From      *wireUser `json:"from"`
	Chat      *wireChat `json:"chat"`
	Date      int64     `json:"date"`
	Text      string    `json:"text"`
	Entities  []struct {
		Type   string `json:"type"`
		Offset int    `json:"offset"`
		Length int    `json:"length"`
	} `json:"entities"`
	Caption string `json:"caption"`
	Photo   []struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		Width        int    `json:"width"`
		Height       int    `json:"height"`
		FileSize     int64  `json:"file_size"`
	} `json:"photo"`
	Document *struct {
		FileID       string `json:"file_id"`
		FileUniqueID string `json:"file_unique_id"`
		FileName     string `json:"file_name"`
		MimeType     string `json:"mime_type"`
		FileSize     int64  `json:"file_size"`
	} `json:"document"`
	Location *struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	} `json:"location"`
	// A group that became a supergroup says so with its last message.
	MigrateToChatID int64 `json:"migrate_to_chat_id"`
	Contact         *struct {
		PhoneNumber string `json:"phone_number"`
		FirstName   string `json:"first_name"`
		LastName    string `json:"last_name"`
		UserID      int64  `json:"user_id"`
	} `json:"contact"`

	// otherKind is the first of unsupportedKinds the message carries.
	otherKind string
}

// unsupportedKinds are message contents danvan cannot use, by the field
// that carries them. Animation comes first: Telegram also fills document
// for an animation, which would otherwise pass for a file.
var unsupportedKinds = []string{
	"animation", "sticker", "voice", "video_note", "video", "audio", "poll", "dice", "game", "story", "invoice",
}

// UnmarshalJSON decodes the declared fields and notes which unsupported
// content the message carries, without decoding it.
func (m *wireMessage) UnmarshalJSON(data []byte) error {
	type plain wireMessage // without this method
	if err := json.Unmarshal(data, (*plain)(m)); err != nil {
		return err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return err
	}
	for _, kind := range unsupportedKinds {
		if _, ok := fields[kind]; ok {
			m.otherKind = kind
			break
		}
	}
	return nil
}

type wireUser struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name"`
	LanguageCode string `json:"language_code"`
}

type wireChat struct {
	ID    int64  `json:"id"`
	Type  string `json:"type"`
	Title string `json:"title"`
}

// updateHead is what recording an update needs, its id, its chat and its
// sender, decoded without the rest: the handler decodes the whole update
// later. It finds the chat as chatOf does.
type updateHead struct {
	UpdateID      *int64  `json:"update_id"`
	Message       *headOf `json:"message"`
	EditedMessage *headOf `json:"edited_message"`
	CallbackQuery *struct {
		Message *headOf `json:"message"`
		From    *idRef  `json:"from"`
	} `json:"callback_query"`
	MyChatMember *headOf `json:"my_chat_member"`
}

type idRef struct {
	ID int64 `json:"id"`
}

type headOf struct {
	Chat *idRef `json:"chat"`
	From *idRef `json:"from"`
	Date int64  `json:"date"` // Unix seconds
}

// chatAndSender finds the update's chat and sender; either may be nil.
func (h *updateHead) chatAndSender() (chat, from *idRef) {
	switch {
	case h.Message != nil:
		return h.Message.Chat, h.Message.From
	case h.EditedMessage != nil:
		return h.EditedMessage.Chat, h.EditedMessage.From
	case h.CallbackQuery != nil:
		if m := h.CallbackQuery.Message; m != nil && m.Chat != nil {
			return m.Chat, h.CallbackQuery.From
		}
		return h.CallbackQuery.From, h.CallbackQuery.From
	case h.MyChatMember != nil:
		return h.MyChatMember.Chat, h.MyChatMember.From
	}
	return nil, nil
}

// sentAt is when a new message was sent, as Telegram dates it; zero for
// other updates (a button press carries no date of its own).
func (h *updateHead) sentAt() time.Time {
	if h.Message == nil || h.Message.Date <= 0 {
		return time.Time{}
	}
	return time.Unix(h.Message.Date, 0)
}

func (h *updateHead) chatKey() string {
	chat, _ := h.chatAndSender()
	if chat == nil {
		return Channel + ":none"
	}
	return Channel + ":" + idOf(chat)
}

// idOf is ref's id as the handlers name it, or "" without one.
func idOf(ref *idRef) string {
	if ref == nil {
		return ""
	}
	return strconv.FormatInt(ref.ID, 10)
}

// chatOf finds the chat an update belongs to, or nil.
func chatOf(u *wireUpdate) *wireChat {
	switch {
	case u.Message != nil:
		return u.Message.Chat
	case u.EditedMessage != nil:
		return u.EditedMessage.Chat
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message; m != nil && m.Chat != nil {
			return m.Chat
		}
		if from := u.CallbackQuery.From; from != nil {
			// A button on an inline message: answer in private.
			return &wireChat{ID: from.ID, Type: "private"}
		}
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat
	}
	return nil
}

// Decoder turns raw Telegram updates into bot.Events; it implements
// bot.Decoder.
type Decoder struct {
	botUsername string
}

var _ bot.Decoder = Decoder{}

// NewDecoder builds a decoder for the bot with this @username (Client's
// Username), so that "/start@other_bot" in a group is not taken for ours.
func NewDecoder(botUsername string) Decoder {
	return Decoder{botUsername: strings.ToLower(botUsername)}
}

// Decode turns a raw update into an Event. Updates danvan does not act on
// (membership changes, unknown types) give an Event without a chat, which
// the processor skips. An edited message is reported with Unsupported
// "edited_message": the original was already handled and may have moved
// the conversation on, so the edit cannot be applied, but the person
// should learn that it was not. A live location's moves are edits too,
// and are skipped like membership changes.
func (d Decoder) Decode(raw json.RawMessage) (bot.Event, error) {
	var u wireUpdate
	if err := json.Unmarshal(raw, &u); err != nil {
		return bot.Event{}, fmt.Errorf("telegram: decode update: %w", err)
	}
	ev := bot.Event{Channel: Channel, UpdateID: u.UpdateID}
	switch {
	case u.Message != nil:
		d.message(&ev, u.Message)
	case u.EditedMessage != nil && u.EditedMessage.Location != nil:
		// A live location moving: Telegram sends its every new position
		// as an edit, for up to hours. The first position came as a
		// message; answering each move would flood the chat.
		ev.Unsupported = "live_location"
	case u.EditedMessage != nil:
		setOrigin(&ev, u.EditedMessage)
		ev.Unsupported = "edited_message"
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		ev.Chat = chatFrom(chatOf(&u))
		ev.From = userFrom(q.From)
		ev.Button = &bot.Button{QueryID: q.ID, Data: q.Data}
		if q.Message != nil {
			ev.Button.MessageID = messageIDString(q.Message.MessageID)
			ev.Time = unixTime(q.Message.Date)
		}
	case u.MyChatMember != nil:
		ev.Unsupported = "my_chat_member"
	default:
		ev.Unsupported = "update"
	}
	return ev, nil
}

func (d Decoder) message(ev *bot.Event, m *wireMessage) {
	setOrigin(ev, m)
	switch {
	case m.otherKind == "animation":
		ev.Unsupported = m.otherKind
	case len(m.Photo) > 0:
		largest := m.Photo[0]
		for _, p := range m.Photo[1:] {
			if p.Width*p.Height > largest.Width*largest.Height {
				largest = p
			}
		}
		ev.Photo = &bot.File{ID: largest.FileID, UniqueID: largest.FileUniqueID, Size: largest.FileSize, MIME: "image/jpeg"}
		ev.Text = m.Caption
	case m.Document != nil:
		doc := m.Document
		ev.Document = &bot.File{ID: doc.FileID, UniqueID: doc.FileUniqueID, Size: doc.FileSize, MIME: doc.MimeType, Name: doc.FileName}
		ev.Text = m.Caption
	case m.Location != nil:
		ev.Location = &bot.Location{Latitude: m.Location.Latitude, Longitude: m.Location.Longitude}
	case m.Contact != nil:
		c := m.Contact
		ev.Contact = &bot.Contact{Phone: c.PhoneNumber, Name: strings.TrimSpace(c.FirstName + " " + c.LastName)}
		if c.UserID != 0 {
			ev.Contact.UserID = strconv.FormatInt(c.UserID, 10)
		}
	case m.MigrateToChatID != 0:
		ev.MovedTo = strconv.FormatInt(m.MigrateToChatID, 10)
	case m.Text != "":
		ev.Command, ev.Args = d.command(m)
		if ev.Command == "" {
			ev.Text = m.Text
		}
	default:
		// A sticker, a voice message, a service message...
		ev.Unsupported = cmp.Or(m.otherKind, "other")
	}
}

// command splits a message that starts with a bot_command entity into the
// command (lower case, without the slash and our @username) and its
// arguments. A command addressed to another bot is not ours: "".
func (d Decoder) command(m *wireMessage) (cmd, args string) {
	for _, e := range m.Entities {
		if e.Type != "bot_command" || e.Offset != 0 {
			continue
		}
		end := utf16Offset(m.Text, e.Length)
		if end < 2 || m.Text[0] != '/' {
			return "", "" // not a command after all
		}
		cmd, target, _ := strings.Cut(strings.ToLower(m.Text[1:end]), "@")
		if target != "" && d.botUsername != "" && target != d.botUsername {
			return "", ""
		}
		return cmd, strings.TrimSpace(m.Text[end:])
	}
	return "", ""
}

// utf16Offset converts a length in UTF-16 units, as Telegram counts entity
// offsets, to a byte offset in s.
func utf16Offset(s string, units int) int {
	n := 0
	for i, r := range s {
		if n >= units {
			return i
		}
		n += utf16.RuneLen(r)
	}
	return len(s)
}

// setOrigin fills who sent a message, where and when.
func setOrigin(ev *bot.Event, m *wireMessage) {
	ev.Chat = chatFrom(m.Chat)
	ev.From = userFrom(m.From)
	ev.MessageID = messageIDString(m.MessageID)
	ev.Time = unixTime(m.Date)
}

func chatFrom(c *wireChat) bot.Chat {
	if c == nil {
		return bot.Chat{}
	}
	return bot.Chat{
		ID:    strconv.FormatInt(c.ID, 10),
		Group: c.Type == "group" || c.Type == "supergroup",
		Title: c.Title,
	}
}

func userFrom(u *wireUser) bot.User {
	if u == nil {
		return bot.User{}
	}
	return bot.User{
		ID:       strconv.FormatInt(u.ID, 10),
		Name:     strings.TrimSpace(u.FirstName + " " + u.LastName),
		Language: u.LanguageCode,
	}
}

func messageIDString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// unixTime reads a Bot API date: Unix seconds, or milliseconds from the
// emulator (no date in seconds reaches 10^11 before the year 5000).
func unixTime(date int64) time.Time {
	switch {
	case date <= 0:
		return time.Time{}
	case date >= 1e11:
		return time.UnixMilli(date)
	}
	return time.Unix(date, 0)
}
