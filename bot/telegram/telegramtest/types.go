package telegramtest

import (
	"encoding/json"
	"slices"
	"time"
)

// User is a Telegram user played by a test (a citizen or an officer).
type User struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// Chat types as they appear on the wire.
const (
	ChatPrivate    = "private"
	ChatGroup      = "group"
	ChatSupergroup = "supergroup"
)

// Chat is a conversation. Private chats have ID == the user's ID (positive);
// groups and supergroups have negative IDs.
type Chat struct {
	ID        int64
	Type      string // ChatPrivate, ChatGroup or ChatSupergroup
	Title     string // groups only
	Username  string
	FirstName string // private chats only
	LastName  string
}

// PrivateChat returns the private chat between the bot and u.
func PrivateChat(u User) Chat {
	return Chat{ID: u.ID, Type: ChatPrivate, Username: u.Username, FirstName: u.FirstName, LastName: u.LastName}
}

// GroupChat returns a basic group. id must be negative.
func GroupChat(id int64, title string) Chat {
	return Chat{ID: id, Type: ChatGroup, Title: title}
}

// SupergroupChat returns a supergroup. Real supergroup ids look like
// -100xxxxxxxxxx; id must be negative.
func SupergroupChat(id int64, title string) Chat {
	return Chat{ID: id, Type: ChatSupergroup, Title: title}
}

// Entity is a MessageEntity. Offset and Length count UTF-16 code units, as
// in the Bot API.
type Entity struct {
	Type          string `json:"type"`
	Offset        int    `json:"offset"`
	Length        int    `json:"length"`
	URL           string `json:"url,omitempty"`
	Language      string `json:"language,omitempty"`
	CustomEmojiID string `json:"custom_emoji_id,omitempty"`
}

// PhotoSize is one size of a photo.
type PhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Document is a general file.
type Document struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

// Location is a point on the map.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// Contact is a shared phone contact.
type Contact struct {
	PhoneNumber string `json:"phone_number"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name,omitempty"`
	UserID      int64  `json:"user_id,omitempty"`
}

// InlineButton is a button of an inline keyboard. Only the common fields are
// exposed; any other field the bot sent (login_url, web_app, ...) is kept
// and echoed back unchanged.
type InlineButton struct {
	Text                         string
	CallbackData                 string
	URL                          string
	SwitchInlineQuery            *string
	SwitchInlineQueryCurrentChat *string
	Pay                          bool

	extra map[string]json.RawMessage
}

// ReplyKeyboard is a custom reply keyboard shown instead of the phone's
// keyboard.
type ReplyKeyboard struct {
	Rows                  [][]KeyboardButton
	ResizeKeyboard        bool
	OneTimeKeyboard       bool
	IsPersistent          bool
	InputFieldPlaceholder string
	Selective             bool
}

// KeyboardButton is a button of a reply keyboard.
type KeyboardButton struct {
	Text            string
	RequestContact  bool
	RequestLocation bool
}

// Message is a message as stored by the fake: either sent by the bot or
// pushed by a test on behalf of a user. Values returned by query methods
// are copies.
type Message struct {
	ID      int
	ChatID  int64
	From    User // for bot messages: the bot itself
	FromBot bool
	// Method is the Bot API method that created a bot message (sendMessage,
	// sendPhoto, copyMessage, ...); empty for user messages.
	Method string
	Date   time.Time // precise; the wire carries Unix seconds

	// Text is the text as the user sees it (after entity parsing).
	Text     string
	Entities []Entity
	// RawText is the text exactly as the bot sent it (for example with its
	// HTML tags) and ParseMode the parse_mode it used.
	RawText   string
	ParseMode string
	// Silent: the bot sent it with disable_notification.
	Silent bool

	Caption         string
	CaptionEntities []Entity
	RawCaption      string

	Photo    []PhotoSize // ascending size; the last one is the largest
	Document *Document
	Location *Location
	Contact  *Contact

	// InlineKeyboard is the inline keyboard currently attached (nil if none).
	InlineKeyboard [][]InlineButton
	// ReplyKeyboard is the reply keyboard this message showed, if any.
	ReplyKeyboard  *ReplyKeyboard
	RemoveKeyboard bool
	ForceReply     bool
	// ForceReplySelective is force_reply's selective: the reply box opens
	// only for the users the text mentions and the sender of the message
	// replied to (see ForceReplyFor).
	ForceReplySelective bool

	ReplyToMessageID int
	ForwardFrom      *User
	ForwardDate      time.Time

	EditCount int
	EditDate  time.Time // zero if never edited
	// UpdatedAt is when the message was sent or last edited/deleted.
	UpdatedAt time.Time
	Deleted   bool

	// unseen marks a user's group message the bot never received (group
	// privacy mode): an edit of it does not reach the bot either.
	unseen bool

	seq uint64 // cursor of the last change, for WaitAfter
}

// PhotoFileID returns the file_id of the largest photo size, or "".
func (m Message) PhotoFileID() string {
	if len(m.Photo) == 0 {
		return ""
	}
	return m.Photo[len(m.Photo)-1].FileID
}

// Buttons returns the inline keyboard flattened row by row.
func (m Message) Buttons() []InlineButton {
	var out []InlineButton
	for _, row := range m.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

// Button returns the inline button with the given text.
func (m Message) Button(text string) (InlineButton, bool) {
	for _, b := range m.Buttons() {
		if b.Text == text {
			return b, true
		}
	}
	return InlineButton{}, false
}

// clone returns a deep copy so callers never share slices with the store.
func (m *Message) clone() Message {
	c := *m
	c.Entities = slices.Clone(m.Entities)
	c.CaptionEntities = slices.Clone(m.CaptionEntities)
	c.Photo = slices.Clone(m.Photo)
	if m.Document != nil {
		d := *m.Document
		c.Document = &d
	}
	if m.Location != nil {
		l := *m.Location
		c.Location = &l
	}
	if m.Contact != nil {
		k := *m.Contact
		c.Contact = &k
	}
	c.InlineKeyboard = cloneInline(m.InlineKeyboard)
	c.ReplyKeyboard = m.ReplyKeyboard.clone()
	if m.ForwardFrom != nil {
		u := *m.ForwardFrom
		c.ForwardFrom = &u
	}
	return c
}

func cloneInline(rows [][]InlineButton) [][]InlineButton {
	if rows == nil {
		return nil
	}
	out := make([][]InlineButton, len(rows))
	for i, row := range rows {
		out[i] = slices.Clone(row)
	}
	return out
}

func (k *ReplyKeyboard) clone() *ReplyKeyboard {
	if k == nil {
		return nil
	}
	c := *k
	c.Rows = make([][]KeyboardButton, len(k.Rows))
	for i, row := range k.Rows {
		c.Rows[i] = slices.Clone(row)
	}
	return &c
}

// Cursor marks a point in the history of bot activity. WaitAfter only
// considers messages sent or edited after the cursor.
type Cursor uint64

// Pushed describes an update a test pushed.
type Pushed struct {
	UpdateID        int
	ChatID          int64
	MessageID       int    // the user's message (0 for callback queries)
	CallbackQueryID string // callback queries only
	FileID          string // photos (largest size) and documents
	// Cursor is the bot-activity cursor at push time: WaitReply(ctx, p, ...)
	// waits for bot messages sent or edited after the push.
	Cursor Cursor
	At     time.Time
	// Queued is false when the update was not queued: filtered out by
	// allowed_updates or by group privacy mode.
	Queued bool
}

// Upload is a document a test pushes on behalf of a user.
type Upload struct {
	Name     string
	MimeType string
	Data     []byte
}

// CallbackAnswer records an answerCallbackQuery call that succeeded.
type CallbackAnswer struct {
	QueryID   string
	Text      string
	ShowAlert bool
	URL       string
	CacheTime int
	At        time.Time
	// The query being answered.
	From      User
	ChatID    int64
	MessageID int
	Data      string
}

// BotCommand is one entry of setMyCommands.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// CommandScope is a BotCommandScope. Type is one of default,
// all_private_chats, all_group_chats, all_chat_administrators, chat,
// chat_administrators, chat_member.
type CommandScope struct {
	Type   string `json:"type"`
	ChatID int64  `json:"chat_id,omitempty"`
	UserID int64  `json:"user_id,omitempty"`
}

// CommandSet is the command list registered for one scope and language.
type CommandSet struct {
	Scope        CommandScope
	LanguageCode string
	Commands     []BotCommand
}

// ChatAction records a sendChatAction call.
type ChatAction struct {
	ChatID int64
	Action string
	At     time.Time
}

// Request is one entry of the request log.
type Request struct {
	At     time.Time
	Method string // canonical spelling, e.g. "sendMessage"; "file" for downloads
	ChatID int64  // 0 when the call has no chat_id
	Params map[string]string
	Files  map[string]int // multipart file field -> size in bytes
	// Status is the HTTP status answered (0 if the connection was reset).
	Status      int
	Description string // error description, if any
	Duration    time.Duration
}

// FloodViolation records one 429 answer.
type FloodViolation struct {
	At         time.Time
	Method     string
	ChatID     int64
	Scope      string // "chat", "group", "global", "method" (injected 429 on a chat-less call)
	RetryAfter int
	// Early is true when the request came before a previous retry_after for
	// the same scope had passed: the bot did not honour the wait.
	Early bool
	// Injected is true for 429s produced by fault injection.
	Injected bool
}

// WebhookDelivery records one attempt to POST an update to the webhook.
type WebhookDelivery struct {
	At       time.Time
	UpdateID int
	Attempt  int // 1 for the first attempt
	URL      string
	// Secret is the X-Telegram-Bot-Api-Secret-Token value sent ("" if none).
	Secret     string
	StatusCode int    // 0 on a connection error
	Error      string // last_error_message style text; "" on success
	Duration   time.Duration
}
