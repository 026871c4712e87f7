package telegramtest

import (
	"bytes"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// This file is the test-side control API: it plays users and groups.

// Incoming is a message a user sends to the bot. Set exactly one of Text,
// Photo, Document, Location and Contact.
type Incoming struct {
	// Chat is where the message is sent; nil means the private chat with
	// From. Group chats must have negative ids.
	Chat *Chat
	From User

	Text     string
	Photo    []byte // image bytes; a JPEG, PNG or GIF gets real thumbnails
	Document *Upload
	Location *Location
	Contact  *Contact
	Caption  string // photos and documents only
	// ReplyTo is the id of a message in the same chat being replied to.
	ReplyTo int
}

// telegramService is the sender Telegram uses for service actions in groups.
var telegramService = User{ID: 777000, FirstName: "Telegram"}

func validateChat(c Chat) error {
	switch c.Type {
	case ChatPrivate:
		if c.ID <= 0 {
			return fmt.Errorf("telegramtest: private chat id must be positive, got %d", c.ID)
		}
	case ChatGroup, ChatSupergroup:
		if c.ID >= 0 {
			return fmt.Errorf("telegramtest: group chat id must be negative, got %d", c.ID)
		}
	default:
		return fmt.Errorf("telegramtest: unknown chat type %q", c.Type)
	}
	return nil
}

// AddChat registers a chat as known to the bot (for example an officers'
// group the bot was added to) without sending an update.
func (s *Server) AddChat(c Chat) error {
	if err := validateChat(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ensureChatLocked(c, true)
	return nil
}

// PushMessage queues a message update from a user. It is the general form
// of the Push* helpers and reports invalid input as an error.
func (s *Server) PushMessage(in Incoming) (Pushed, error) {
	if in.From.ID <= 0 {
		return Pushed{}, errors.New("telegramtest: Incoming.From.ID must be positive")
	}
	if in.From.FirstName == "" {
		in.From.FirstName = "User"
	}
	chat := PrivateChat(in.From)
	if in.Chat != nil {
		chat = *in.Chat
		if err := validateChat(chat); err != nil {
			return Pushed{}, err
		}
	}
	m := &Message{From: in.From}
	kinds := 0
	if in.Text != "" {
		kinds++
		text, ents, _ := formatText(in.Text, "", "", false)
		if text == "" || utf16Len(text) > maxTextLen {
			return Pushed{}, errors.New("telegramtest: message text must be 1-4096 characters after trimming")
		}
		m.Text, m.RawText, m.Entities = text, in.Text, ents
	}
	if in.Caption != "" {
		if in.Photo == nil && in.Document == nil {
			return Pushed{}, errors.New("telegramtest: a caption needs a photo or a document")
		}
		caption, ents, _ := formatText(in.Caption, "", "", false)
		if utf16Len(caption) > maxCaptionLen {
			return Pushed{}, errors.New("telegramtest: caption longer than 1024 characters")
		}
		m.Caption, m.RawCaption, m.CaptionEntities = caption, in.Caption, ents
	}
	var (
		img  image.Image
		w, h int
	)
	if in.Photo != nil {
		kinds++
		if len(in.Photo) == 0 {
			return Pushed{}, errors.New("telegramtest: empty photo")
		}
		// Undecodable bytes are accepted with nominal dimensions; their
		// smaller sizes then share the original bytes.
		w, h = 1280, 960
		if decoded, _, err := image.Decode(bytes.NewReader(in.Photo)); err == nil {
			img, w, h = decoded, decoded.Bounds().Dx(), decoded.Bounds().Dy()
		}
	}
	if in.Document != nil {
		kinds++
		if len(in.Document.Data) == 0 {
			return Pushed{}, errors.New("telegramtest: empty document")
		}
	}
	if in.Location != nil {
		kinds++
		l := *in.Location
		m.Location = &l
	}
	if in.Contact != nil {
		kinds++
		k := *in.Contact
		m.Contact = &k
	}
	if kinds != 1 {
		return Pushed{}, errors.New("telegramtest: set exactly one of Text, Photo, Document, Location and Contact")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.ensureChatLocked(chat, true)
	if in.ReplyTo != 0 {
		if r := cs.byID[in.ReplyTo]; r == nil || r.Deleted {
			return Pushed{}, fmt.Errorf("telegramtest: no message %d in chat %d to reply to", in.ReplyTo, chat.ID)
		}
		m.ReplyToMessageID = in.ReplyTo
	}
	if cs.blocked && chat.Type == ChatPrivate {
		// A user who blocked the bot must unblock it to write to it.
		s.setBlockedLocked(cs, false)
	}
	var fileID string
	if in.Photo != nil {
		m.Photo = s.addPhotoLocked(in.Photo, img, w, h)
		fileID = m.PhotoFileID()
	}
	if in.Document != nil {
		m.Document = s.addDocumentLocked(in.Document.Data, in.Document.Name, in.Document.MimeType)
		fileID = m.Document.FileID
	}
	s.addMessageLocked(cs, m)

	p := Pushed{ChatID: chat.ID, MessageID: m.ID, FileID: fileID, Cursor: Cursor(s.st.seq), At: m.Date}
	if !s.receivesLocked(cs, m) {
		m.unseen = true
		return p, nil
	}
	p.UpdateID, p.Queued = s.enqueueLocked(UpdateMessage, s.wireMessageLocked(m))
	return p, nil
}

// receivesLocked reports whether the bot receives a user's message. In
// private chats, and in groups when ReadAllGroupMessages is set, it
// receives everything. In group privacy mode (Telegram's default, see
// core.telegram.org/bots/features#privacy-mode) it receives only:
//   - commands: text (or a caption) starting with '/', unless the command
//     is addressed to another bot (/cmd@other_bot). Telegram gives an
//     unaddressed command to the last bot that wrote in the group; the
//     fake has one bot, so it always gets them;
//   - replies to its own messages;
//   - messages that mention its @username.
//
// Service messages and callback queries do not go through here: the bot
// always receives them.
func (s *Server) receivesLocked(cs *chatState, m *Message) bool {
	if cs.chat.Type == ChatPrivate || s.cfg.ReadAllGroupMessages {
		return true
	}
	if r := cs.byID[m.ReplyToMessageID]; r != nil && r.FromBot {
		return true
	}
	text, ents := m.Text, m.Entities
	if text == "" {
		text, ents = m.Caption, m.CaptionEntities
	}
	if strings.HasPrefix(text, "/") {
		_, to, addressed := strings.Cut(commandAt(text), "@")
		if !addressed || strings.EqualFold(to, s.bot.Username) {
			return true
		}
	}
	for _, e := range ents {
		if e.Type == "mention" && strings.EqualFold(entityText(text, e), "@"+s.bot.Username) {
			return true
		}
	}
	return false
}

// commandAt returns the command that starts text ("/cmd" or
// "/cmd@bot_name"): everything up to the first space.
func commandAt(text string) string {
	if i := strings.IndexFunc(text, unicode.IsSpace); i >= 0 {
		return text[:i]
	}
	return text
}

// mustPush turns invalid input of the convenience helpers into a panic:
// it is a bug in the test, not a condition to handle.
func mustPush(p Pushed, err error) Pushed {
	if err != nil {
		panic(err)
	}
	return p
}

// PushText queues a text message from u in its private chat. Commands and
// other entities Telegram detects are added automatically. Like the other
// Push* helpers (except PushCallback, PressButton and PushEdit) it panics
// on invalid input; use PushMessage to get an error instead.
func (s *Server) PushText(u User, text string) Pushed {
	return mustPush(s.PushMessage(Incoming{From: u, Text: text}))
}

// PushCommand queues a command such as "/status PA-2026-000001"; the
// message carries a bot_command entity covering "/status". A missing
// leading '/' is added.
func (s *Server) PushCommand(u User, command string) Pushed {
	if !strings.HasPrefix(command, "/") {
		command = "/" + command
	}
	return mustPush(s.PushMessage(Incoming{From: u, Text: command}))
}

// PushGroupText queues a text message from u in a group chat.
func (s *Server) PushGroupText(chat Chat, u User, text string) Pushed {
	return mustPush(s.PushMessage(Incoming{Chat: &chat, From: u, Text: text}))
}

// PushPhoto queues a photo from u. data nil means a generated 800x600 PNG.
// Pushed.FileID is the largest size; every size can be fetched with
// getFile and downloaded.
func (s *Server) PushPhoto(u User, data []byte, caption string) Pushed {
	if data == nil {
		data = SamplePhoto(800, 600)
	}
	return mustPush(s.PushMessage(Incoming{From: u, Photo: data, Caption: caption}))
}

// PushDocument queues a document from u.
func (s *Server) PushDocument(u User, name, mimeType string, data []byte, caption string) Pushed {
	return mustPush(s.PushMessage(Incoming{From: u, Document: &Upload{Name: name, MimeType: mimeType, Data: data}, Caption: caption}))
}

// PushLocation queues a location from u.
func (s *Server) PushLocation(u User, latitude, longitude float64) Pushed {
	return mustPush(s.PushMessage(Incoming{From: u, Location: &Location{Latitude: latitude, Longitude: longitude}}))
}

// PushContact queues u sharing their own contact, as a request_contact
// button does: user_id is u.ID.
func (s *Server) PushContact(u User, phoneNumber string) Pushed {
	c := &Contact{PhoneNumber: phoneNumber, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID}
	return mustPush(s.PushMessage(Incoming{From: u, Contact: c}))
}

// PushCallback queues a callback_query as if u pressed a button carrying
// data on the bot's message messageID in chatID. The data is not checked
// against the keyboard, so tests can forge stale or tampered callbacks;
// use PressButton to press a real button. Pushed.MessageID is the bot
// message and Pushed.CallbackQueryID the query id to answer.
func (s *Server) PushCallback(u User, chatID int64, messageID int, data string) (Pushed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.st.chats[chatID]
	if cs == nil {
		return Pushed{}, fmt.Errorf("telegramtest: unknown chat %d", chatID)
	}
	if cs.chat.Type == ChatPrivate && u.ID != chatID {
		return Pushed{}, fmt.Errorf("telegramtest: user %d cannot press buttons in the private chat of %d", u.ID, chatID)
	}
	m := cs.byID[messageID]
	if m == nil || m.Deleted {
		return Pushed{}, fmt.Errorf("telegramtest: no message %d in chat %d", messageID, chatID)
	}
	if !m.FromBot {
		return Pushed{}, fmt.Errorf("telegramtest: message %d in chat %d was not sent by the bot", messageID, chatID)
	}
	if u.FirstName == "" {
		u.FirstName = "User"
	}
	s.st.callbackSeq++
	// Real ids are large decimal strings.
	id := strconv.FormatUint(uint64(s.bot.ID)<<24|uint64(s.st.callbackSeq), 10)
	now := time.Now()
	s.st.callbacks[id] = &pendingCallback{id: id, from: u, chatID: chatID, messageID: messageID, data: data, created: now}
	payload := map[string]any{
		"id":            id,
		"from":          wireUser(u, false),
		"message":       s.wireMessageLocked(m),
		"chat_instance": chatInstance(chatID),
		"data":          data,
	}
	p := Pushed{ChatID: chatID, MessageID: messageID, CallbackQueryID: id, Cursor: Cursor(s.st.seq), At: now}
	p.UpdateID, p.Queued = s.enqueueLocked(UpdateCallbackQuery, payload)
	return p, nil
}

// chatInstance derives a stable chat_instance string for a chat.
func chatInstance(chatID int64) string {
	h := fnv.New64a()
	fmt.Fprint(h, chatID)
	return strconv.FormatInt(int64(h.Sum64()>>1), 10)
}

// PressButton presses the inline button with the given text on a bot
// message: it fails if the message has no such callback button.
func (s *Server) PressButton(u User, chatID int64, messageID int, buttonText string) (Pushed, error) {
	m, ok := s.Message(chatID, messageID)
	if !ok || m.Deleted {
		return Pushed{}, fmt.Errorf("telegramtest: no message %d in chat %d", messageID, chatID)
	}
	b, ok := m.Button(buttonText)
	if !ok || b.CallbackData == "" {
		return Pushed{}, fmt.Errorf("telegramtest: message %d has no callback button %q (buttons: %s)", messageID, buttonText, buttonTexts(m))
	}
	return s.PushCallback(u, chatID, messageID, b.CallbackData)
}

func buttonTexts(m Message) string {
	var names []string
	for _, b := range m.Buttons() {
		names = append(names, strconv.Quote(b.Text))
	}
	return "[" + strings.Join(names, ", ") + "]"
}

// PushEdit queues an edited_message update: u edits the text of their own
// message. The edit of a group message the bot never received (privacy
// mode) is not queued.
func (s *Server) PushEdit(u User, chatID int64, messageID int, newText string) (Pushed, error) {
	text, ents, _ := formatText(newText, "", "", false)
	if text == "" || utf16Len(text) > maxTextLen {
		return Pushed{}, errors.New("telegramtest: message text must be 1-4096 characters after trimming")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.st.chats[chatID]
	var m *Message
	if cs != nil {
		m = cs.byID[messageID]
	}
	if m == nil || m.Deleted || m.FromBot || m.From.ID != u.ID || m.Text == "" {
		return Pushed{}, fmt.Errorf("telegramtest: user %d has no text message %d in chat %d", u.ID, messageID, chatID)
	}
	m.Text, m.RawText, m.Entities = text, newText, ents
	m.EditCount++
	m.EditDate, m.UpdatedAt = time.Now(), time.Now()
	s.notifyLocked()
	p := Pushed{ChatID: chatID, MessageID: messageID, Cursor: Cursor(s.st.seq), At: m.EditDate}
	if m.unseen {
		// edited_message carries messages "known to the bot": one that
		// group privacy mode kept from it stays unknown.
		return p, nil
	}
	p.UpdateID, p.Queued = s.enqueueLocked(UpdateEditedMessage, s.wireMessageLocked(m))
	return p, nil
}

// BlockBot makes every send to chatID fail with 403: "bot was blocked by
// the user" for private chats, "bot was kicked from the group chat" for
// groups. Like Telegram it queues a my_chat_member update.
func (s *Server) BlockBot(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.st.chats[chatID]
	if cs == nil {
		cs = s.ensureChatLocked(placeholderChat(chatID), true)
	}
	s.setBlockedLocked(cs, true)
}

// UnblockBot undoes BlockBot (the user restarted the bot, or the group
// added it back) and queues a my_chat_member update.
func (s *Server) UnblockBot(chatID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs := s.st.chats[chatID]; cs != nil {
		s.setBlockedLocked(cs, false)
	}
}

func (s *Server) setBlockedLocked(cs *chatState, blocked bool) {
	if cs.blocked == blocked {
		return
	}
	cs.blocked = blocked
	from := telegramService
	if cs.chat.Type == ChatPrivate {
		from = User{ID: cs.chat.ID, FirstName: cs.chat.FirstName, LastName: cs.chat.LastName, Username: cs.chat.Username}
	}
	member, gone := "member", "kicked"
	if cs.chat.Type != ChatPrivate {
		gone = "left"
	}
	oldStatus, newStatus := member, gone
	if !blocked {
		oldStatus, newStatus = gone, member
	}
	bot := wireUser(s.bot, true)
	s.enqueueLocked(UpdateMyChatMember, map[string]any{
		"chat":            wireChat(cs.chat),
		"from":            wireUser(from, false),
		"date":            time.Now().Unix(),
		"old_chat_member": map[string]any{"status": oldStatus, "user": bot},
		"new_chat_member": map[string]any{"status": newStatus, "user": bot, "until_date": 0},
	})
}

// MigrateChat upgrades a basic group to a supergroup: sends to the old id
// then fail with 400 and parameters.migrate_to_chat_id, and a service
// message carrying migrate_to_chat_id is queued in the old group.
func (s *Server) MigrateChat(groupID, supergroupID int64) error {
	if groupID >= 0 || supergroupID >= 0 || groupID == supergroupID {
		return errors.New("telegramtest: group ids must be negative and different")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.st.chats[groupID]
	if old == nil || old.chat.Type != ChatGroup {
		return fmt.Errorf("telegramtest: chat %d is not a known basic group", groupID)
	}
	if old.migratedTo != 0 {
		return fmt.Errorf("telegramtest: chat %d already migrated", groupID)
	}
	s.ensureChatLocked(SupergroupChat(supergroupID, old.chat.Title), true)
	m := s.addMessageLocked(old, &Message{From: telegramService})
	w := s.wireMessageLocked(m)
	w.MigrateToChatID = supergroupID
	old.migratedTo = supergroupID
	s.enqueueLocked(UpdateMessage, w)
	return nil
}

// Backdate makes a message older by d, as time passing would, for what
// Telegram allows only on recent messages (deleting one); it reports
// whether the message exists.
func (s *Server) Backdate(chatID int64, messageID int, d time.Duration) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	cs := s.st.chats[chatID]
	if cs == nil || cs.byID[messageID] == nil {
		return false
	}
	cs.byID[messageID].Date = cs.byID[messageID].Date.Add(-d)
	return true
}
