package telegramtest

import (
	"encoding/json"
)

// This file renders stored objects in their Bot API JSON form.

type apiUser struct {
	ID           int64  `json:"id"`
	IsBot        bool   `json:"is_bot"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

func wireUser(u User, isBot bool) *apiUser {
	return &apiUser{ID: u.ID, IsBot: isBot, FirstName: u.FirstName, LastName: u.LastName,
		Username: u.Username, LanguageCode: u.LanguageCode}
}

type apiChat struct {
	ID        int64  `json:"id"`
	Type      string `json:"type"`
	Title     string `json:"title,omitempty"`
	Username  string `json:"username,omitempty"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name,omitempty"`
}

func wireChat(c Chat) apiChat {
	return apiChat{ID: c.ID, Type: c.Type, Title: c.Title, Username: c.Username, FirstName: c.FirstName, LastName: c.LastName}
}

type apiMessage struct {
	MessageID       int             `json:"message_id"`
	From            *apiUser        `json:"from,omitempty"`
	Date            int64           `json:"date"`
	Chat            apiChat         `json:"chat"`
	ForwardFrom     *apiUser        `json:"forward_from,omitempty"`
	ForwardDate     int64           `json:"forward_date,omitempty"`
	ForwardOrigin   any             `json:"forward_origin,omitempty"`
	ReplyToMessage  *apiMessage     `json:"reply_to_message,omitempty"`
	EditDate        int64           `json:"edit_date,omitempty"`
	Text            string          `json:"text,omitempty"`
	Entities        []Entity        `json:"entities,omitempty"`
	Photo           []PhotoSize     `json:"photo,omitempty"`
	Document        *Document       `json:"document,omitempty"`
	Caption         string          `json:"caption,omitempty"`
	CaptionEntities []Entity        `json:"caption_entities,omitempty"`
	Contact         *Contact        `json:"contact,omitempty"`
	Location        *Location       `json:"location,omitempty"`
	MigrateToChatID int64           `json:"migrate_to_chat_id,omitempty"`
	ReplyMarkup     json.RawMessage `json:"reply_markup,omitempty"`
}

// wireMessageLocked renders m. Only inline keyboards appear in a Message's
// reply_markup, as in the Bot API; reply keyboards are not echoed.
func (s *Server) wireMessageLocked(m *Message) *apiMessage {
	return s.wireMessageDepthLocked(m, 0)
}

func (s *Server) wireMessageDepthLocked(m *Message, depth int) *apiMessage {
	cs := s.st.chats[m.ChatID]
	w := &apiMessage{
		MessageID:       m.ID,
		From:            wireUser(m.From, m.FromBot),
		Date:            m.Date.Unix(),
		Chat:            wireChat(cs.chat),
		Text:            m.Text,
		Entities:        m.Entities,
		Photo:           m.Photo,
		Document:        m.Document,
		Caption:         m.Caption,
		CaptionEntities: m.CaptionEntities,
		Contact:         m.Contact,
		Location:        m.Location,
		ReplyMarkup:     inlineMarkupJSON(m.InlineKeyboard),
	}
	if !m.EditDate.IsZero() {
		w.EditDate = m.EditDate.Unix()
	}
	if m.ForwardFrom != nil {
		w.ForwardFrom = wireUser(*m.ForwardFrom, m.ForwardFrom.ID == s.bot.ID)
		w.ForwardDate = m.ForwardDate.Unix()
		w.ForwardOrigin = map[string]any{"type": "user", "sender_user": w.ForwardFrom, "date": w.ForwardDate}
	}
	// Telegram includes the replied-to message one level deep only.
	if m.ReplyToMessageID != 0 && depth == 0 {
		if r := cs.byID[m.ReplyToMessageID]; r != nil && !r.Deleted {
			w.ReplyToMessage = s.wireMessageDepthLocked(r, depth+1)
		}
	}
	return w
}

func jsonUnmarshalString(s string, v any) error {
	return json.Unmarshal([]byte(s), v)
}
