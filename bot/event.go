// Package bot is danvan's messenger abstraction: the normalised events that
// come in from a chat platform, the messages that go out, and the sender that
// drains the durable outbox. Platform adapters (bot/telegram, later Zalo)
// implement it; handlers depend only on these types.
package bot

import "time"

// Event is one incoming update, normalised across messengers.
type Event struct {
	Channel   string
	UpdateID  int64
	Chat      Chat
	From      User
	MessageID string
	Time      time.Time

	// Exactly one of the following describes the content. Text also carries
	// a photo's or document's caption.
	Text        string
	Command     string // without the slash and bot suffix, lower case: "start"
	Args        string // the rest of a command line, trimmed
	Photo       *File
	Document    *File
	Location    *Location
	Contact     *Contact
	Button      *Button
	Unsupported string // what it was ("sticker", "voice", ...) when nothing above applies
	MovedTo     string // the group's new chat id: it became a supergroup
}

// Chat is where a message was sent.
type Chat struct {
	ID    string
	Group bool
	Title string
}

// User is who sent it.
type User struct {
	ID       string
	Name     string
	Language string // the client's language code, e.g. "vi" or "en"
}

// File is a messenger-hosted file referenced by id.
type File struct {
	ID       string
	UniqueID string
	Size     int64
	MIME     string
	Name     string
}

// Location is a shared map point.
type Location struct {
	Latitude  float64
	Longitude float64
}

// Contact is a shared phone contact.
type Contact struct {
	Phone  string
	UserID string // the contact's own account, when it is a user of the messenger
	Name   string
}

// Button is a press on an inline button.
type Button struct {
	QueryID   string
	Data      string
	MessageID string // the message that carries the button; empty if unknown
}
