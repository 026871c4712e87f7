package telegram

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan-vn/danvan/bot"
)

// maxDownload is the largest file the cloud Bot API's getFile serves.
const maxDownload = 20 << 20

// maxAnswerLen is the longest callback answer text, in UTF-16 units.
const maxAnswerLen = 200

// Messenger delivers outgoing messages through the Bot API. It implements
// bot.Messenger; all its failures are *bot.DeliveryError.
type Messenger struct {
	client *Client
	logger *slog.Logger
}

var _ bot.Messenger = (*Messenger)(nil)

// NewMessenger builds a messenger on a connected client.
func NewMessenger(c *Client, logger *slog.Logger) *Messenger {
	if logger == nil {
		logger = slog.Default()
	}
	return &Messenger{client: c, logger: logger}
}

// Channel is "telegram".
func (m *Messenger) Channel() string { return Channel }

// Deliver performs one outgoing message and returns the id of the message
// it sent or edited ("" for callback answers).
//
// A message to a group that became a supergroup goes to the supergroup
// (an edit, as a new message: message ids are the old group's), so that
// a unit's cards still reach it until its link is updated; Delivered says
// so, so that what later edits or deletes it goes there.
func (m *Messenger) Deliver(ctx context.Context, o bot.Outgoing) (bot.Delivered, error) {
	var moved string
	id, err := m.deliver(ctx, o)
	if to := migratedTo(err); to != 0 && o.Kind != bot.KindAnswer && o.Kind != bot.KindCommands {
		m.logger.Warn("telegram: the group became a supergroup; sending there", "chat", o.ChatID, "supergroup", to)
		o.ChatID = strconv.FormatInt(to, 10)
		moved = o.ChatID
		if o.Kind == bot.KindDelete { // the message was the old group's, and went with it
			return bot.Delivered{}, nil
		}
		if o.Kind == bot.KindEdit {
			if o.InPlaceOnly { // the message went with the old group
				return bot.Delivered{ChatID: moved}, nil
			}
			o.Kind, o.MessageID = bot.KindText, ""
		}
		id, err = m.deliver(ctx, o)
	}
	if err != nil {
		return bot.Delivered{}, deliveryError(err)
	}
	return bot.Delivered{MessageID: id, ChatID: moved}, nil
}

// deliver is Deliver without the supergroup's second try; its errors are
// the Bot API's, not yet classified.
func (m *Messenger) deliver(ctx context.Context, o bot.Outgoing) (string, error) {
	switch o.Kind {
	case bot.KindAnswer:
		return "", m.answer(ctx, o)
	case bot.KindCommands:
		return "", m.setCommands(ctx, o)
	}
	chatID, err := strconv.ParseInt(o.ChatID, 10, 64)
	if err != nil {
		return "", &bot.DeliveryError{Permanent: true, Description: fmt.Sprintf("invalid chat id %q", o.ChatID)}
	}
	switch o.Kind {
	case bot.KindText:
		return m.sendText(ctx, chatID, o)
	case bot.KindEdit:
		return m.edit(ctx, chatID, o)
	case bot.KindDelete:
		return "", m.delete(ctx, chatID, o)
	case bot.KindPhoto:
		photo := tgbotapi.NewPhoto(chatID, tgbotapi.FileID(o.FileID))
		photo.Caption, photo.ParseMode, photo.ReplyMarkup = o.Text, tgbotapi.ModeHTML, replyMarkup(o)
		photo.DisableNotification = o.Silent
		return m.send(ctx, photo)
	case bot.KindDocument:
		var file tgbotapi.RequestFileData = tgbotapi.FileID(o.FileID)
		if len(o.Content) > 0 {
			file = tgbotapi.FileBytes{Name: cmp.Or(o.FileName, "file"), Bytes: o.Content}
		}
		doc := tgbotapi.NewDocument(chatID, file)
		doc.Caption, doc.ParseMode, doc.ReplyMarkup = o.Text, tgbotapi.ModeHTML, replyMarkup(o)
		doc.DisableNotification = o.Silent
		return m.send(ctx, doc)
	}
	return "", &bot.DeliveryError{Permanent: true, Description: fmt.Sprintf("unknown message kind %q", o.Kind)}
}

func (m *Messenger) sendText(ctx context.Context, chatID int64, o bot.Outgoing) (string, error) {
	msg := tgbotapi.NewMessage(chatID, o.Text)
	msg.ParseMode, msg.ReplyMarkup, msg.DisableNotification = tgbotapi.ModeHTML, replyMarkup(o), o.Silent
	return m.send(ctx, msg)
}

func (m *Messenger) send(ctx context.Context, c tgbotapi.Chattable) (string, error) {
	var sent tgbotapi.Message
	err := m.client.do(ctx, m.client.timeout, func(api *tgbotapi.BotAPI) error {
		var err error
		sent, err = api.Send(c)
		return err
	})
	if err != nil {
		return "", err
	}
	return messageID(sent.MessageID), nil
}

// edit replaces a message's text and inline keyboard. When it cannot (no
// usable message id, as with the emulator's callbacks; the message is gone
// or too old; the reply keyboard must change) it sends a new message, so
// the person always sees the answer; an edit InPlaceOnly is then dropped,
// with no message id.
func (m *Messenger) edit(ctx context.Context, chatID int64, o bot.Outgoing) (string, error) {
	id, err := strconv.Atoi(o.MessageID)
	if err != nil || id <= 0 || o.Reply != nil || o.RemoveReply || o.ForceReply {
		return m.instead(ctx, chatID, o)
	}
	cfg := tgbotapi.NewEditMessageText(chatID, id, o.Text)
	cfg.ParseMode = tgbotapi.ModeHTML
	if len(o.Buttons) > 0 {
		keyboard := inlineKeyboard(o.Buttons)
		cfg.ReplyMarkup = &keyboard
	}
	// Request, not Send: the result may be null (the emulator) or true
	// (inline messages), and the edited message keeps its id anyway.
	err = m.client.do(ctx, m.client.timeout, func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(cfg)
		return err
	})
	switch {
	case err == nil, isAPIError(err, http.StatusBadRequest, "message is not modified"):
		// A double press shows the same screen again: nothing to change.
		return o.MessageID, nil
	case isAPIError(err, http.StatusBadRequest, "message to edit not found"),
		isAPIError(err, http.StatusBadRequest, "message can't be edited"):
		return m.instead(ctx, chatID, o)
	}
	return "", err
}

// instead sends edit o as a new message, or drops it when InPlaceOnly.
func (m *Messenger) instead(ctx context.Context, chatID int64, o bot.Outgoing) (string, error) {
	if o.InPlaceOnly {
		return "", nil
	}
	return m.sendText(ctx, chatID, o)
}

// delete deletes a sent message. One already gone is done; one Telegram
// no longer lets the bot delete (older than 48 hours, say) is refused for
// good.
func (m *Messenger) delete(ctx context.Context, chatID int64, o bot.Outgoing) error {
	id, err := strconv.Atoi(o.MessageID)
	if err != nil || id <= 0 {
		return &bot.DeliveryError{Permanent: true, Description: fmt.Sprintf("invalid message id %q", o.MessageID)}
	}
	err = m.client.do(ctx, m.client.timeout, func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(tgbotapi.NewDeleteMessage(chatID, id))
		return err
	})
	switch {
	case isAPIError(err, http.StatusBadRequest, "message to delete not found"):
		return nil
	case isAPIError(err, http.StatusBadRequest, "message can't be deleted") && o.Text != "":
		return m.cover(ctx, chatID, id, o.Text)
	}
	return err
}

// cover replaces a photo or file the bot may no longer delete (Telegram
// lets it delete only messages under 48 hours old, but edit its own at
// any age) with a blank picture and a caption saying why.
func (m *Messenger) cover(ctx context.Context, chatID int64, id int, caption string) error {
	media := tgbotapi.NewInputMediaPhoto(tgbotapi.FileBytes{Name: "sealed.png", Bytes: blankPicture()})
	media.Caption, media.ParseMode = caption, tgbotapi.ModeHTML
	cfg := tgbotapi.EditMessageMediaConfig{BaseEdit: tgbotapi.BaseEdit{ChatID: chatID, MessageID: id}, Media: media}
	return m.client.do(ctx, m.client.timeout, func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(cfg)
		return err
	})
}

// blankPicture is a plain grey PNG that covers a sealed photo.
var blankPicture = sync.OnceValue(func() []byte {
	img := image.NewGray(image.Rect(0, 0, 320, 180))
	for i := range img.Pix {
		img.Pix[i] = 0xcc
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
})

// answer answers a button press. An expired query gives a 400 and is not
// retried: the spinner has stopped by then anyway.
func (m *Messenger) answer(ctx context.Context, o bot.Outgoing) error {
	if o.QueryID == "" {
		return &bot.DeliveryError{Permanent: true, Description: "answerCallbackQuery: no query id"}
	}
	cfg := tgbotapi.NewCallback(o.QueryID, truncate(o.Text, maxAnswerLen))
	cfg.ShowAlert = o.Alert
	err := m.client.do(ctx, m.client.timeout, func(api *tgbotapi.BotAPI) error {
		_, err := api.Request(cfg)
		return err
	})
	if err != nil {
		return deliveryError(err)
	}
	return nil
}

// replyMarkup picks the one keyboard a message can carry: inline buttons,
// else a reply keyboard, else its removal, else a request to reply. It returns an untyped nil for
// none, which the library leaves out.
func replyMarkup(o bot.Outgoing) any {
	switch {
	case len(o.Buttons) > 0:
		return inlineKeyboard(o.Buttons)
	case o.Reply != nil:
		rows := make([][]tgbotapi.KeyboardButton, len(o.Reply.Rows))
		for i, row := range o.Reply.Rows {
			for _, b := range row {
				rows[i] = append(rows[i], tgbotapi.KeyboardButton{
					Text: b.Text, RequestLocation: b.RequestLocation, RequestContact: b.RequestContact})
			}
		}
		return tgbotapi.ReplyKeyboardMarkup{Keyboard: rows, ResizeKeyboard: true, OneTimeKeyboard: o.Reply.OneTime}
	case o.RemoveReply:
		return tgbotapi.NewRemoveKeyboard(false)
	case o.ForceReply:
		return tgbotapi.ForceReply{ForceReply: true, Selective: true}
	}
	return nil
}

func inlineKeyboard(buttons [][]bot.InlineButton) tgbotapi.InlineKeyboardMarkup {
	rows := make([][]tgbotapi.InlineKeyboardButton, len(buttons))
	for i, row := range buttons {
		for _, b := range row {
			if b.URL != "" {
				rows[i] = append(rows[i], tgbotapi.NewInlineKeyboardButtonURL(b.Text, b.URL))
			} else {
				rows[i] = append(rows[i], tgbotapi.NewInlineKeyboardButtonData(b.Text, b.Data))
			}
		}
	}
	return tgbotapi.NewInlineKeyboardMarkup(rows...)
}

func messageID(id int) string {
	if id == 0 {
		return ""
	}
	return strconv.Itoa(id)
}

// truncate cuts s to at most limit UTF-16 units, on a character boundary.
func truncate(s string, limit int) string {
	n := 0
	for i, r := range s {
		if n += utf16.RuneLen(r); n > limit {
			return s[:i]
		}
	}
	return s
}

// setCommands sets the command menu of one chat, or of every chat when
// ChatID is empty, for clients in o.Language ("" for every language without
// its own menu). The menu is a convenience, so Telegram's refusal (a 400)
// is permanent, as a server lacking the method is for any message
// (apiError.Unsupported): it is recorded, not retried, and never holds up
// the chat's messages. Flood control, a
// server error and a call that got no answer are not refusals: they are
// waited out and retried, or the menu, queued once per version of its
// texts, would never be set.
func (m *Messenger) setCommands(ctx context.Context, o bot.Outgoing) error {
	list := make([]map[string]string, len(o.Commands))
	for i, c := range o.Commands {
		list[i] = map[string]string{"command": c.Name, "description": c.Description}
	}
	listJSON, _ := json.Marshal(list)
	scope := map[string]any{"type": "default"}
	if o.ChatID != "" {
		chatID, err := strconv.ParseInt(o.ChatID, 10, 64)
		if err != nil {
			return &bot.DeliveryError{Permanent: true, Description: fmt.Sprintf("invalid chat id %q", o.ChatID)}
		}
		scope = map[string]any{"type": "chat", "chat_id": chatID}
	}
	scopeJSON, _ := json.Marshal(scope)
	params := tgbotapi.Params{"commands": string(listJSON), "scope": string(scopeJSON)}
	params.AddNonEmpty("language_code", o.Language)
	_, err := m.client.request(ctx, m.client.timeout, "setMyCommands", params)
	if err == nil {
		return nil
	}
	de := deliveryError(err)
	var refused *apiError
	if errors.As(err, &refused) && refused.Code == http.StatusBadRequest && refused.BotAPI {
		de.Permanent = true
	}
	return de
}

// DownloadFile fetches a file a person sent (up to 20 MB, Telegram's limit
// for bots) from the configured server.
func (m *Messenger) DownloadFile(ctx context.Context, fileID string) ([]byte, error) {
	raw, err := m.client.request(ctx, m.client.timeout, "getFile", tgbotapi.Params{"file_id": fileID})
	if err != nil {
		return nil, err
	}
	var f tgbotapi.File
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("telegram: getFile: %w", err)
	}
	switch {
	case f.FilePath == "":
		return nil, errors.New("telegram: getFile: no file path")
	case f.FileSize > maxDownload:
		return nil, fmt.Errorf("telegram: file of %d bytes is over the %d-byte limit", f.FileSize, maxDownload)
	}
	return m.client.download(ctx, f.FilePath, maxDownload)
}
