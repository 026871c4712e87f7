package bot

// Kind says what an Outgoing does.
type Kind string

// Outgoing kinds.
const (
	KindText     Kind = "text"     // send a new text message
	KindEdit     Kind = "edit"     // replace the text and buttons of a sent message
	KindDelete   Kind = "delete"   // delete a sent photo or file; one too old to delete becomes a blank picture captioned Text
	KindAnswer   Kind = "answer"   // answer a button press (toast or alert)
	KindPhoto    Kind = "photo"    // send a photo by file id, with a caption
	KindDocument Kind = "document" // send a file by id or content, with a caption
	KindCommands Kind = "commands" // set the command menu shown in a chat
)

// Outgoing is one message for the outbox. It is stored as JSON, so fields
// are plain data. Text and Caption are HTML: user-supplied parts must be
// escaped with Escape.
type Outgoing struct {
	Kind        Kind             `json:"kind"`
	ChatID      string           `json:"chat_id"`
	Group       bool             `json:"group,omitempty"`
	Text        string           `json:"text,omitempty"`
	Buttons     [][]InlineButton `json:"buttons,omitempty"`
	Reply       *ReplyKeyboard   `json:"reply,omitempty"`
	RemoveReply bool             `json:"remove_reply,omitempty"`
	MessageID   string           `json:"message_id,omitempty"` // KindEdit, KindDelete: the message
	QueryID     string           `json:"query_id,omitempty"`   // KindAnswer
	Alert       bool             `json:"alert,omitempty"`      // KindAnswer: a dialog instead of a toast
	FileID      string           `json:"file_id,omitempty"`    // KindPhoto, KindDocument
	FileName    string           `json:"file_name,omitempty"`  // KindDocument sent from Content
	Content     []byte           `json:"content,omitempty"`    // KindDocument: bytes to upload
	Commands    []Command        `json:"commands,omitempty"`   // KindCommands: the menu for ChatID (every chat if empty)
	Language    string           `json:"language,omitempty"`   // KindCommands: for clients in this language ("" for all)

	// ForceReply asks the client of the person the text mentions to answer
	// with a reply to this message: in a group, a bot in privacy mode (the
	// default) receives only commands and replies to its own messages.
	ForceReply bool `json:"force_reply,omitempty"`

	// Silent delivers a message without a sound (Telegram's
	// disable_notification): for what goes out at night.
	Silent bool `json:"silent,omitempty"`

	// InPlaceOnly is, of an edit, that it is dropped when its message
	// cannot be edited (deleted, say) rather than sent as a new message:
	// a copy that only follows a change made elsewhere (a card another
	// officer acted on) would come back out of place.
	InPlaceOnly bool `json:"in_place_only,omitempty"`
}

// Command is an entry of a chat's command menu.
type Command struct {
	Name        string `json:"name"` // without the slash
	Description string `json:"description"`
}

// InlineButton is a button under a message. Data must fit in 64 bytes.
type InlineButton struct {
	Text string `json:"text"`
	Data string `json:"data,omitempty"`
	URL  string `json:"url,omitempty"`
}

// ReplyKeyboard replaces the phone keyboard, e.g. to share a location.
type ReplyKeyboard struct {
	Rows    [][]KeyButton `json:"rows"`
	OneTime bool          `json:"one_time,omitempty"`
}

// KeyButton is a reply-keyboard button.
type KeyButton struct {
	Text            string `json:"text"`
	RequestLocation bool   `json:"request_location,omitempty"`
	RequestContact  bool   `json:"request_contact,omitempty"`
}
