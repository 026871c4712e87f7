package demo

import (
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// The page gets messages as text plus entities, never as HTML: it builds
// DOM nodes from the entities it knows (bold, italic, links...), so
// nothing the bot or a user wrote can inject markup.

type messageView struct {
	ID              int                    `json:"id"`
	FromBot         bool                   `json:"from_bot"`
	Sender          string                 `json:"sender,omitempty"` // set in groups
	Date            time.Time              `json:"date"`             // sandbox time
	Text            string                 `json:"text,omitempty"`
	Entities        []telegramtest.Entity  `json:"entities,omitempty"`
	Caption         string                 `json:"caption,omitempty"`
	CaptionEntities []telegramtest.Entity  `json:"caption_entities,omitempty"`
	Photo           *photoView             `json:"photo,omitempty"`
	Document        *documentView          `json:"document,omitempty"`
	Location        *telegramtest.Location `json:"location,omitempty"`
	Contact         *telegramtest.Contact  `json:"contact,omitempty"`
	Buttons         [][]buttonView         `json:"buttons,omitempty"`
	Edited          bool                   `json:"edited,omitempty"`
	ReplyTo         *quoteView             `json:"reply_to,omitempty"`
}

// quoteView is the message a reply answers, as the bubble quotes it.
type quoteView struct {
	ID      int    `json:"id"`
	FromBot bool   `json:"from_bot,omitempty"`
	Sender  string `json:"sender"` // the bot's or the person's name
	Text    string `json:"text"`   // one short line
}

type photoView struct {
	FileID string `json:"file_id"` // a size fit for a bubble
	FullID string `json:"full_id"` // the largest size
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

type documentView struct {
	FileID string `json:"file_id"`
	Name   string `json:"name"`
	Mime   string `json:"mime,omitempty"`
	Size   int    `json:"size"`
}

type buttonView struct {
	Text     string `json:"text"`
	Callback bool   `json:"callback,omitempty"`
	URL      string `json:"url,omitempty"`
}

type keyboardView struct {
	Rows        [][]keyButtonView `json:"rows"`
	Placeholder string            `json:"placeholder,omitempty"`
}

type keyButtonView struct {
	Text     string `json:"text"`
	Contact  bool   `json:"contact,omitempty"`
	Location bool   `json:"location,omitempty"`
}

func viewMessage(m telegramtest.Message, group bool, at func(time.Time) time.Time) messageView {
	v := messageView{
		ID: m.ID, FromBot: m.FromBot, Date: at(m.Date),
		Text: m.Text, Entities: m.Entities, Caption: m.Caption, CaptionEntities: m.CaptionEntities,
		Location: m.Location, Contact: m.Contact, Edited: m.EditCount > 0,
	}
	if group && !m.FromBot {
		v.Sender = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
	}
	if len(m.Photo) > 0 {
		full := m.Photo[len(m.Photo)-1]
		shown := full
		for _, p := range m.Photo {
			if max(p.Width, p.Height) <= 800 {
				shown = p
			}
		}
		v.Photo = &photoView{FileID: shown.FileID, FullID: full.FileID, Width: shown.Width, Height: shown.Height}
	}
	if d := m.Document; d != nil {
		v.Document = &documentView{FileID: d.FileID, Name: d.FileName, Mime: d.MimeType, Size: d.FileSize}
	}
	for _, row := range m.InlineKeyboard {
		var r []buttonView
		for _, b := range row {
			r = append(r, buttonView{Text: b.Text, Callback: b.CallbackData != "", URL: b.URL})
		}
		v.Buttons = append(v.Buttons, r)
	}
	return v
}

func viewQuote(m telegramtest.Message) *quoteView {
	return &quoteView{ID: m.ID, FromBot: m.FromBot, Sender: strings.TrimSpace(m.From.FirstName + " " + m.From.LastName), Text: preview(m)}
}

func viewKeyboard(k *telegramtest.ReplyKeyboard) *keyboardView {
	if k == nil {
		return nil
	}
	v := &keyboardView{Placeholder: k.InputFieldPlaceholder}
	for _, row := range k.Rows {
		var r []keyButtonView
		for _, b := range row {
			r = append(r, keyButtonView{Text: b.Text, Contact: b.RequestContact, Location: b.RequestLocation})
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}

// preview is a chat's last message as one short line for the sidebar.
func preview(m telegramtest.Message) string {
	text := m.Text
	switch {
	case text != "":
	case len(m.Photo) > 0:
		text = "🖼 " + m.Caption
	case m.Document != nil:
		text = "📄 " + m.Document.FileName
	case m.Location != nil:
		text = "📍"
	case m.Contact != nil:
		text = "📞 " + m.Contact.PhoneNumber
	}
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > 70 {
		text = string(r[:70]) + "…"
	}
	return text
}
