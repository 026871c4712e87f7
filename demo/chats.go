package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// The chats: what the page reads (the long-polled state, one chat's
// messages) and what a person does in a chat (text, buttons, photo,
// location, contact).

// sampleLocation is what "share location" sends: a street corner in the
// sample ward, so the bot picks that ward.
var sampleLocation = telegramtest.Location{Latitude: 16.0372, Longitude: 108.2151}

// pollWait is how long the page's long poll waits for a change.
const pollWait = 25 * time.Second

type stateView struct {
	Version  uint64      `json:"version"`
	Lang     string      `json:"lang"`
	Now      time.Time   `json:"now"`
	Workdays int         `json:"workdays"`
	Digest   bool        `json:"digest"` // the weekly digest job exists
	Chats    []chatState `json:"chats"`
}

type chatState struct {
	chat
	Count  int       `json:"count"` // the bot's messages, for unread marks
	Last   string    `json:"last,omitempty"`
	LastAt time.Time `json:"last_at,omitzero"`
}

// state is the page's long poll: it answers at once when the version
// differs from ?since, otherwise when something changes or after a while.
func (s *server) state(w http.ResponseWriter, r *http.Request) {
	if since, err := strconv.ParseUint(r.URL.Query().Get("since"), 10, 64); err == nil {
		ctx, cancel := context.WithTimeout(r.Context(), pollWait)
		defer cancel()
		stop := context.AfterFunc(s.life, cancel)
		defer stop()
		s.changes.wait(ctx, since)
	}
	v := stateView{Version: s.changes.current(), Lang: s.lang, Now: s.clock.Now(), Workdays: s.clock.Workdays()}
	_, v.Digest = s.job(digestJob)
	for _, ch := range s.cast.chats {
		st := chatState{chat: *ch}
		for _, m := range s.api.History(ch.ID) {
			if m.Deleted {
				continue
			}
			if m.FromBot {
				st.Count++
			}
			st.Last, st.LastAt = preview(m), s.clock.At(m.Date)
		}
		v.Chats = append(v.Chats, st)
	}
	writeJSON(w, http.StatusOK, v)
}

type chatView struct {
	Messages []messageView             `json:"messages"`
	Keyboard *keyboardView             `json:"keyboard,omitempty"`
	Commands []telegramtest.BotCommand `json:"commands,omitempty"`
	// ReplyingTo is the bot's message the person's next message answers:
	// one with force_reply meant for them, as Telegram's apps open a reply
	// to it (see pushAll).
	ReplyingTo *quoteView `json:"replying_to,omitempty"`
}

func (s *server) chat(w http.ResponseWriter, r *http.Request) {
	ch, ok := s.chatOf(w, r)
	if !ok {
		return
	}
	v := chatView{Messages: []messageView{}, Keyboard: viewKeyboard(s.api.ReplyKeyboard(ch.ID)), Commands: s.commands(ch)}
	history := s.api.History(ch.ID)
	byID := make(map[int]telegramtest.Message, len(history))
	for _, m := range history {
		byID[m.ID] = m
		if !m.Deleted {
			mv := viewMessage(m, ch.Kind == kindGroup, s.clock.At)
			if q, ok := byID[m.ReplyToMessageID]; ok && !q.Deleted {
				mv.ReplyTo = viewQuote(q)
			}
			v.Messages = append(v.Messages, mv)
		}
	}
	if m, ok := s.api.ForceReplyFor(ch.ID, ch.actor); ok {
		v.ReplyingTo = viewQuote(m)
	}
	writeJSON(w, http.StatusOK, v)
}

// commands is the bot's command menu in a chat, most specific scope first,
// as Telegram resolves it.
func (s *server) commands(ch *chat) []telegramtest.BotCommand {
	scopes := []telegramtest.CommandScope{{Type: "chat", ChatID: ch.ID}, {Type: "all_private_chats"}, {Type: "default"}}
	if ch.Kind == kindGroup {
		scopes = []telegramtest.CommandScope{{Type: "chat", ChatID: ch.ID}, {Type: "all_group_chats"}, {Type: "default"}}
	}
	for _, scope := range scopes {
		for _, lang := range []string{ch.actor.LanguageCode, ""} {
			if cmds := s.api.CommandsFor(scope, lang); len(cmds) > 0 {
				return cmds
			}
		}
	}
	return nil
}

func (s *server) chatOf(w http.ResponseWriter, r *http.Request) (*chat, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	ch := s.cast.byID[id]
	if err != nil || ch == nil {
		writeError(w, http.StatusNotFound, errors.New("no such chat"))
		return nil, false
	}
	return ch, true
}

// act wraps the actions a person takes in a chat: the result, if any, is
// sent back and the page is told that the chat changed.
func (s *server) act(fn func(r *http.Request, ch *chat) (any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ch, ok := s.chatOf(w, r)
		if !ok {
			return
		}
		res, err := fn(r, ch)
		if err != nil {
			writeError(w, http.StatusBadRequest, err)
			return
		}
		s.changes.bump()
		if res == nil {
			res = struct{}{}
		}
		writeJSON(w, http.StatusOK, res)
	}
}

// push sends a message as the chat's person.
func (s *server) push(ch *chat, in telegramtest.Incoming) error {
	_, err := s.pushAll(ch, in)
	return err
}

// pushAll sends messages as the chat's person, one after the other, and
// returns the last. Like Telegram's apps, which open a reply to a
// force_reply message meant for their user (the bot's prompts in a group
// mention the person and carry a selective force_reply), it sends them as
// replies to that prompt: a bot in group privacy mode sees nothing else
// there but commands and mentions. The parts of one send (a long text, a
// caption and its photo) all answer the prompt the first answers, as the
// apps send them.
func (s *server) pushAll(ch *chat, ins ...telegramtest.Incoming) (telegramtest.Pushed, error) {
	replyTo := 0
	if m, ok := s.api.ForceReplyFor(ch.ID, ch.actor); ok {
		replyTo = m.ID
	}
	var p telegramtest.Pushed
	for _, in := range ins {
		in.From, in.ReplyTo = ch.actor, replyTo
		if ch.Kind == kindGroup {
			in.Chat = &ch.tg
		}
		var err error
		if p, err = s.api.PushMessage(in); err != nil && replyTo != 0 {
			// The prompt was deleted meanwhile: the app sends plain messages.
			replyTo, in.ReplyTo = 0, 0
			p, err = s.api.PushMessage(in)
		}
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

func (s *server) send(r *http.Request, ch *chat) (any, error) {
	var body struct {
		Text string `json:"text"`
	}
	if err := readJSON(r, &body); err != nil {
		return nil, err
	}
	// A text over Telegram's limit goes as several messages, as the apps
	// send it.
	parts := textMessages(body.Text)
	if len(parts) == 0 {
		return nil, coded(errEmptyText, errors.New("the message is empty"))
	}
	_, err := s.pushAll(ch, parts...)
	return nil, err
}

type pressResult struct {
	Answer string `json:"answer,omitempty"` // the bot's answerCallbackQuery text
	Alert  bool   `json:"alert,omitempty"`
}

func (s *server) press(r *http.Request, ch *chat) (any, error) {
	var body struct {
		MessageID int    `json:"message_id"`
		Text      string `json:"text"`
	}
	if err := readJSON(r, &body); err != nil {
		return nil, err
	}
	p, err := s.api.PressButton(ch.actor, ch.ID, body.MessageID, body.Text)
	if err != nil {
		return nil, err
	}
	// The answer (a toast or an alert) comes quickly; the page shows it.
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	a, err := s.api.WaitCallbackAnswer(ctx, p.CallbackQueryID)
	if err != nil {
		return pressResult{}, nil
	}
	return pressResult{Answer: a.Text, Alert: a.ShowAlert}, nil
}

const maxPhoto = 10 << 20 // Telegram's limit for photos

func (s *server) photo(r *http.Request, ch *chat) (any, error) {
	tooLarge := coded(errPhotoTooLarge, errors.New("the photo is larger than 10 MB"))
	r.Body = http.MaxBytesReader(nil, r.Body, maxPhoto+1<<20)
	f, _, err := r.FormFile("photo")
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, coded(errNoPhoto, fmt.Errorf("no photo: %w", err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPhoto+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxPhoto {
		return nil, tooLarge
	}
	if ct := http.DetectContentType(data); !strings.HasPrefix(ct, "image/") {
		return nil, coded(errNotImage, fmt.Errorf("not an image (%s)", ct))
	}
	send := []telegramtest.Incoming{{Photo: data, Caption: r.FormValue("caption")}}
	if utf16Len(strings.TrimSpace(send[0].Caption)) > maxCaptionLen {
		// A text too long to be the photo's caption goes as messages of
		// its own, before the photo, as Telegram Desktop sends a text
		// its files cannot carry.
		send = append(textMessages(send[0].Caption), telegramtest.Incoming{Photo: data})
	}
	p, err := s.pushAll(ch, send...)
	if err != nil {
		return nil, err
	}
	s.kept.keepPhoto(s.api, p.ChatID, p.MessageID)
	return nil, nil
}

func (s *server) location(r *http.Request, ch *chat) (any, error) {
	loc := sampleLocation
	return nil, s.push(ch, telegramtest.Incoming{Location: &loc})
}

func (s *server) contact(r *http.Request, ch *chat) (any, error) {
	phone := ch.Phone
	if phone == "" {
		phone = fmt.Sprintf("+849%08d", ch.ID%100_000_000)
	}
	u := ch.actor
	return nil, s.push(ch, telegramtest.Incoming{Contact: &telegramtest.Contact{
		PhoneNumber: phone, FirstName: u.FirstName, LastName: u.LastName, UserID: u.ID}})
}
