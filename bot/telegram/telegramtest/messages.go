package telegramtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Text limits, counted in UTF-16 code units after entity parsing (the unit
// Telegram uses).
const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

const errNotModified = "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"

// chatState is a chat and its message history.
type chatState struct {
	chat Chat
	// known is true once the chat interacted with the bot (a pushed update)
	// or was registered with AddChat.
	known      bool
	lastID     int
	msgs       []*Message // ascending id
	byID       map[int]*Message
	blocked    bool
	migratedTo int64
	actions    []ChatAction
	keyboard   *ReplyKeyboard // reply keyboard currently shown
}

func placeholderChat(id int64) Chat {
	switch {
	case id > 0:
		return Chat{ID: id, Type: ChatPrivate, FirstName: fmt.Sprintf("User %d", id)}
	case id <= -1000000000000:
		return Chat{ID: id, Type: ChatSupergroup, Title: fmt.Sprintf("Supergroup %d", id)}
	default:
		return Chat{ID: id, Type: ChatGroup, Title: fmt.Sprintf("Group %d", id)}
	}
}

// ensureChatLocked returns the state of c, creating it; a known chat's
// details are refreshed from c.
func (s *Server) ensureChatLocked(c Chat, known bool) *chatState {
	cs := s.st.chats[c.ID]
	if cs == nil {
		cs = &chatState{chat: c, byID: map[int]*Message{}}
		s.st.chats[c.ID] = cs
	} else if known {
		cs.chat = c
	}
	cs.known = cs.known || known
	return cs
}

// targetChatLocked resolves a chat_id-like parameter for a bot method.
func (s *Server) targetChatLocked(p params, key string) (*chatState, *apiError) {
	raw := strings.TrimSpace(p.str(key))
	if raw == "" {
		return nil, badRequest("%s is empty", key)
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		if name, ok := strings.CutPrefix(raw, "@"); ok {
			for _, cs := range s.st.chats {
				if cs.chat.Type != ChatPrivate && strings.EqualFold(cs.chat.Username, name) {
					return cs, nil
				}
			}
		}
		return nil, badRequest("chat not found")
	}
	if cs := s.st.chats[id]; cs != nil && (cs.known || !s.cfg.RequireKnownChat) {
		return cs, nil
	}
	if id == 0 || s.cfg.RequireKnownChat {
		return nil, badRequest("chat not found")
	}
	return s.ensureChatLocked(placeholderChat(id), false), nil
}

// access reports why the bot may not post to the chat, if it may not.
func (cs *chatState) access() *apiError {
	if cs.migratedTo != 0 {
		e := badRequest("group chat was upgraded to a supergroup chat")
		e.MigrateTo = cs.migratedTo
		return e
	}
	if !cs.blocked {
		return nil
	}
	switch cs.chat.Type {
	case ChatGroup:
		return forbidden("bot was kicked from the group chat")
	case ChatSupergroup:
		return forbidden("bot was kicked from the supergroup chat")
	}
	return forbidden("bot was blocked by the user")
}

// postableChatLocked resolves the chat and checks the bot may post to it.
func (s *Server) postableChatLocked(p params, key string) (*chatState, *apiError) {
	cs, e := s.targetChatLocked(p, key)
	if e != nil {
		return nil, e
	}
	if e := cs.access(); e != nil {
		return nil, e
	}
	return cs, nil
}

// addMessageLocked stores m in cs with the next message id.
func (s *Server) addMessageLocked(cs *chatState, m *Message) *Message {
	now := time.Now()
	cs.lastID++
	m.ID, m.ChatID = cs.lastID, cs.chat.ID
	m.Date, m.UpdatedAt = now, now
	if m.FromBot {
		m.From = s.bot
		m.seq = s.nextSeqLocked()
	}
	cs.msgs = append(cs.msgs, m)
	cs.byID[m.ID] = m
	s.observeMessageLocked(ActivitySend, m.Method, m)
	s.notifyLocked()
	return m
}

// touchLocked records an edit or deletion of a bot message.
func (s *Server) touchLocked(m *Message) {
	m.UpdatedAt = time.Now()
	m.seq = s.nextSeqLocked()
	s.notifyLocked()
}

// replyToLocked validates reply_to_message_id / reply_parameters.
func replyToLocked(cs *chatState, p params) (int, *apiError) {
	id, _ := p.int("reply_to_message_id")
	allowMissing := p.bool("allow_sending_without_reply")
	var rp struct {
		MessageID                int64 `json:"message_id"`
		AllowSendingWithoutReply bool  `json:"allow_sending_without_reply"`
	}
	if ok, err := p.json("reply_parameters", &rp); err != nil {
		return 0, badRequest("can't parse reply parameters JSON object")
	} else if ok {
		id, allowMissing = rp.MessageID, rp.AllowSendingWithoutReply
	}
	if id == 0 {
		return 0, nil
	}
	if m := cs.byID[int(id)]; m != nil && !m.Deleted {
		return int(id), nil
	}
	if allowMissing {
		return 0, nil
	}
	return 0, badRequest("message to be replied not found")
}

// optionalMarkup parses reply_markup if present.
func optionalMarkup(p params) (*markup, *apiError) {
	if !p.has("reply_markup") {
		return nil, nil
	}
	return parseMarkup(p.str("reply_markup"))
}

// applyMarkupLocked attaches mk to a new bot message and tracks the reply
// keyboard the user now sees. Buttons that request a contact or a location
// are for private chats only, as Telegram says.
func applyMarkupLocked(cs *chatState, m *Message, mk *markup) *apiError {
	if mk == nil {
		return nil
	}
	if mk.keyboard != nil && cs.chat.Type != ChatPrivate {
		for _, row := range mk.keyboard.Rows {
			for _, b := range row {
				if b.RequestContact || b.RequestLocation {
					return badRequest("location can be requested in a private chats only")
				}
			}
		}
	}
	switch {
	case mk.isInline:
		m.InlineKeyboard = mk.inline
	case mk.keyboard != nil:
		m.ReplyKeyboard = mk.keyboard
		cs.keyboard = mk.keyboard
	case mk.remove:
		m.RemoveKeyboard = true
		cs.keyboard = nil
	case mk.forceReply:
		m.ForceReply, m.ForceReplySelective = true, mk.selective
	}
	return nil
}

func (s *Server) formatText(raw, parseMode, entities string) (string, []Entity, *apiError) {
	return formatText(raw, parseMode, entities, !s.cfg.HTMLAllowBareAmpersand)
}

// formatCaption parses a caption; it may be empty.
func (s *Server) formatCaption(p params) (string, []Entity, *apiError) {
	text, ents, e := s.formatText(p.str("caption"), p.str("parse_mode"), p.str("caption_entities"))
	if e != nil {
		return "", nil, e
	}
	if utf16Len(text) > maxCaptionLen {
		return "", nil, badRequest("message caption is too long")
	}
	return text, ents, nil
}

// messageText parses and checks the text of sendMessage and
// editMessageText as Telegram does.
func (s *Server) messageText(c *call) (raw, text string, ents []Entity, e *apiError) {
	raw = c.p.str("text")
	text, ents, e = s.formatText(raw, c.p.str("parse_mode"), c.p.str("entities"))
	switch {
	case e != nil:
	case text == "":
		e = badRequest("message text is empty")
	case utf16Len(text) > maxTextLen:
		e = badRequest("message is too long")
	}
	return raw, text, ents, e
}

func (s *Server) sendMessage(c *call) (any, *apiError) {
	raw, text, ents, e := s.messageText(c)
	if e != nil {
		return nil, e
	}
	mk, e := optionalMarkup(c.p)
	if e != nil {
		return nil, e
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.postableChatLocked(c.p, "chat_id")
	if e != nil {
		return nil, e
	}
	replyTo, e := replyToLocked(cs, c.p)
	if e != nil {
		return nil, e
	}
	m := &Message{FromBot: true, Method: c.method, Text: text, Entities: ents, RawText: raw,
		ParseMode: c.p.str("parse_mode"), ReplyToMessageID: replyTo, Silent: c.p.bool("disable_notification")}
	if e := applyMarkupLocked(cs, m, mk); e != nil {
		return nil, e
	}
	s.addMessageLocked(cs, m)
	return s.wireMessageLocked(m), nil
}

// editTargetLocked finds the bot message an edit method refers to.
func (s *Server) editTargetLocked(c *call) (*Message, *apiError) {
	if c.p.has("inline_message_id") {
		// The fake has no inline mode, so no inline message exists.
		return nil, badRequest("MESSAGE_ID_INVALID")
	}
	cs, e := s.postableChatLocked(c.p, "chat_id")
	if e != nil {
		return nil, e
	}
	id, ok := c.p.int("message_id")
	if !ok {
		return nil, badRequest("message identifier is not specified")
	}
	m := cs.byID[int(id)]
	if m == nil || m.Deleted {
		return nil, badRequest("message to edit not found")
	}
	// Only a message without reply_markup or with an inline keyboard can
	// be edited (Bot API, "Updating messages").
	if !m.FromBot || m.ReplyKeyboard != nil || m.RemoveKeyboard || m.ForceReply {
		return nil, badRequest("message can't be edited")
	}
	return m, nil
}

// editMarkup parses the reply_markup of an edit: only inline keyboards are
// allowed, and an absent markup removes the keyboard.
func editMarkup(p params) ([][]InlineButton, *apiError) {
	mk, e := optionalMarkup(p)
	if e != nil {
		return nil, e
	}
	if mk == nil {
		return nil, nil
	}
	if !mk.isInline {
		return nil, badRequest("inline keyboard expected")
	}
	return mk.inline, nil
}

func sameKeyboard(a, b [][]InlineButton) bool {
	return string(inlineMarkupJSON(a)) == string(inlineMarkupJSON(b))
}

func (s *Server) markEditedLocked(m *Message) {
	m.EditCount++
	m.EditDate = time.Now()
	s.touchLocked(m)
}

// edit applies change to the message an edit call targets, under the lock,
// with the call's new inline keyboard; change refuses an edit that alters
// nothing, as Telegram does.
func (s *Server) edit(c *call, change func(m *Message, kb [][]InlineButton) *apiError) (any, *apiError) {
	kb, e := editMarkup(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, e := s.editTargetLocked(c)
	if e != nil {
		return nil, e
	}
	if e := change(m, kb); e != nil {
		return nil, e
	}
	m.InlineKeyboard = kb
	s.markEditedLocked(m)
	s.observeMessageLocked(ActivityEdit, c.method, m)
	return s.wireMessageLocked(m), nil
}

func (s *Server) editMessageText(c *call) (any, *apiError) {
	raw, text, ents, e := s.messageText(c)
	if e != nil {
		return nil, e
	}
	return s.edit(c, func(m *Message, kb [][]InlineButton) *apiError {
		if m.Text == "" {
			return badRequest("there is no text in the message to edit")
		}
		if m.Text == text && slices.Equal(m.Entities, ents) && sameKeyboard(m.InlineKeyboard, kb) {
			return badRequest(errNotModified)
		}
		m.Text, m.Entities, m.RawText, m.ParseMode = text, ents, raw, c.p.str("parse_mode")
		return nil
	})
}

func (s *Server) editMessageReplyMarkup(c *call) (any, *apiError) {
	return s.edit(c, func(m *Message, kb [][]InlineButton) *apiError {
		if sameKeyboard(m.InlineKeyboard, kb) {
			return badRequest(errNotModified)
		}
		return nil
	})
}

func (s *Server) editMessageCaption(c *call) (any, *apiError) {
	caption, ents, e := s.formatCaption(c.p)
	if e != nil {
		return nil, e
	}
	return s.edit(c, func(m *Message, kb [][]InlineButton) *apiError {
		if len(m.Photo) == 0 && m.Document == nil {
			return badRequest("there is no caption in the message to edit")
		}
		if m.Caption == caption && slices.Equal(m.CaptionEntities, ents) && sameKeyboard(m.InlineKeyboard, kb) {
			return badRequest(errNotModified)
		}
		m.Caption, m.CaptionEntities, m.RawCaption = caption, ents, c.p.str("caption")
		return nil
	})
}

// maxDeleteAge is how old a message a bot may still delete.
const maxDeleteAge = 48 * time.Hour

func (s *Server) deleteMessage(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.targetChatLocked(c.p, "chat_id")
	if e != nil {
		return nil, e
	}
	id, ok := c.p.int("message_id")
	if !ok {
		return nil, badRequest("message identifier is not specified")
	}
	m := cs.byID[int(id)]
	if m == nil || m.Deleted {
		return nil, badRequest("message to delete not found")
	}
	// A bot deletes messages under 48 hours old, and in a group only its
	// own: the fake's bot is no administrator.
	if time.Since(m.Date) >= maxDeleteAge || (!m.FromBot && cs.chat.Type != ChatPrivate) {
		return nil, badRequest("message can't be deleted for everyone")
	}
	m.Deleted = true
	s.touchLocked(m)
	s.observeMessageLocked(ActivityDelete, c.method, m)
	return true, nil
}

var chatActions = []string{"typing", "upload_photo", "record_video", "upload_video", "record_voice",
	"upload_voice", "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}

func (s *Server) sendChatAction(c *call) (any, *apiError) {
	action := c.p.str("action")
	if !slices.Contains(chatActions, action) {
		return nil, badRequest("wrong parameter action in request")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.postableChatLocked(c.p, "chat_id")
	if e != nil {
		return nil, e
	}
	cs.actions = append(cs.actions, ChatAction{ChatID: cs.chat.ID, Action: action, At: time.Now()})
	s.notifyLocked()
	return true, nil
}

// sourceMessageLocked resolves from_chat_id + message_id for copy/forward.
func (s *Server) sourceMessageLocked(c *call, what string) (*Message, *apiError) {
	from, e := s.targetChatLocked(c.p, "from_chat_id")
	if e != nil {
		return nil, e
	}
	id, ok := c.p.int("message_id")
	if !ok {
		return nil, badRequest("message identifier is not specified")
	}
	src := from.byID[int(id)]
	if src == nil || src.Deleted {
		return nil, badRequest("message to %s not found", what)
	}
	return src, nil
}

// copyContent copies what a copy or forward carries over.
func copyContent(dst, src *Message) {
	c := src.clone()
	dst.Text, dst.Entities, dst.RawText, dst.ParseMode = c.Text, c.Entities, c.RawText, c.ParseMode
	dst.Caption, dst.CaptionEntities, dst.RawCaption = c.Caption, c.CaptionEntities, c.RawCaption
	dst.Photo, dst.Document, dst.Location, dst.Contact = c.Photo, c.Document, c.Location, c.Contact
}

func (s *Server) copyMessage(c *call) (any, *apiError) {
	mk, e := optionalMarkup(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src, e := s.sourceMessageLocked(c, "copy")
	if e != nil {
		return nil, e
	}
	cs, e := s.postableChatLocked(c.p, "chat_id")
	if e != nil {
		return nil, e
	}
	replyTo, e := replyToLocked(cs, c.p)
	if e != nil {
		return nil, e
	}
	m := &Message{FromBot: true, Method: c.method, ReplyToMessageID: replyTo}
	copyContent(m, src)
	if c.p.has("caption") {
		if len(m.Photo) == 0 && m.Document == nil {
			return nil, badRequest("there is no caption in the message to copy")
		}
		caption, ents, e := s.formatCaption(c.p)
		if e != nil {
			return nil, e
		}
		m.Caption, m.CaptionEntities, m.RawCaption = caption, ents, c.p.str("caption")
	}
	if e := applyMarkupLocked(cs, m, mk); e != nil {
		return nil, e
	}
	s.addMessageLocked(cs, m)
	return map[string]int{"message_id": m.ID}, nil
}

func (s *Server) forwardMessage(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	src, e := s.sourceMessageLocked(c, "forward")
	if e != nil {
		return nil, e
	}
	cs, e := s.postableChatLocked(c.p, "chat_id")
	if e != nil {
		return nil, e
	}
	m := &Message{FromBot: true, Method: c.method}
	copyContent(m, src)
	origin := src.From
	if src.ForwardFrom != nil {
		origin = *src.ForwardFrom
	}
	m.ForwardFrom, m.ForwardDate = &origin, src.Date
	s.addMessageLocked(cs, m)
	return s.wireMessageLocked(m), nil
}

func (s *Server) getChat(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := strconv.ParseInt(strings.TrimSpace(c.p.str("chat_id")), 10, 64)
	cs := s.st.chats[id]
	if err != nil || cs == nil {
		return nil, badRequest("chat not found")
	}
	return wireChat(cs.chat), nil
}
