package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Limits on reply markup.
const (
	maxCallbackDataBytes = 64
	// maxButtons is the community-reported cap on buttons per keyboard.
	maxButtons = 100
)

// markup is a parsed reply_markup parameter. Exactly one of its parts is set.
type markup struct {
	inline     [][]InlineButton // nil when the keyboard has no buttons
	isInline   bool
	keyboard   *ReplyKeyboard
	remove     bool
	forceReply bool
	selective  bool // force_reply only
}

// inlineActions are the fields of which an inline button needs exactly one.
var inlineActions = []string{"url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat",
	"switch_inline_query_chosen_chat", "login_url", "web_app", "pay", "callback_game", "copy_text"}

func errMarkupJSON() *apiError { return badRequest("can't parse reply keyboard markup JSON object") }

// parseMarkup validates reply_markup like Telegram: callback_data must be
// 1-64 bytes, URLs must be valid, and every inline button needs an action.
func parseMarkup(js string) (*markup, *apiError) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js), &obj); err != nil {
		return nil, errMarkupJSON()
	}
	switch {
	case obj["inline_keyboard"] != nil:
		var rows [][]map[string]json.RawMessage
		if err := json.Unmarshal(obj["inline_keyboard"], &rows); err != nil {
			return nil, badRequest("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
		}
		m := &markup{isInline: true}
		count := 0
		for _, row := range rows {
			var out []InlineButton
			for _, raw := range row {
				b, err := parseInlineButton(raw)
				if err != nil {
					return nil, err
				}
				out = append(out, b)
				count++
			}
			if len(out) > 0 {
				m.inline = append(m.inline, out)
			}
		}
		if count > maxButtons {
			return nil, badRequest("reply markup is too long")
		}
		return m, nil

	case obj["keyboard"] != nil:
		var rows [][]json.RawMessage
		if err := json.Unmarshal(obj["keyboard"], &rows); err != nil {
			return nil, badRequest("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
		}
		var opts struct {
			Resize      bool   `json:"resize_keyboard"`
			OneTime     bool   `json:"one_time_keyboard"`
			Persistent  bool   `json:"is_persistent"`
			Placeholder string `json:"input_field_placeholder"`
			Selective   bool   `json:"selective"`
		}
		if err := json.Unmarshal([]byte(js), &opts); err != nil {
			return nil, errMarkupJSON()
		}
		if utf16Len(opts.Placeholder) > 64 {
			return nil, badRequest("input field placeholder is too long")
		}
		kb := &ReplyKeyboard{ResizeKeyboard: opts.Resize, OneTimeKeyboard: opts.OneTime, IsPersistent: opts.Persistent,
			InputFieldPlaceholder: opts.Placeholder, Selective: opts.Selective}
		count := 0
		for _, row := range rows {
			var out []KeyboardButton
			for _, raw := range row {
				var b KeyboardButton
				// A button is either a plain string or a KeyboardButton object.
				if err := json.Unmarshal(raw, &b.Text); err != nil {
					var o struct {
						Text            *string `json:"text"`
						RequestContact  bool    `json:"request_contact"`
						RequestLocation bool    `json:"request_location"`
					}
					if err := json.Unmarshal(raw, &o); err != nil || o.Text == nil {
						return nil, badRequest("can't parse keyboard button: Field \"text\" must be of type String")
					}
					b = KeyboardButton{Text: *o.Text, RequestContact: o.RequestContact, RequestLocation: o.RequestLocation}
				}
				if b.Text == "" {
					return nil, badRequest("keyboard button text must be non-empty")
				}
				out = append(out, b)
				count++
			}
			kb.Rows = append(kb.Rows, out)
		}
		if count == 0 {
			return nil, badRequest("keyboard must be non-empty")
		}
		if count > maxButtons {
			return nil, badRequest("reply markup is too long")
		}
		return &markup{keyboard: kb}, nil

	case obj["remove_keyboard"] != nil:
		var v bool
		if err := json.Unmarshal(obj["remove_keyboard"], &v); err != nil || !v {
			return nil, errMarkupJSON()
		}
		return &markup{remove: true}, nil

	case obj["force_reply"] != nil:
		var v bool
		if err := json.Unmarshal(obj["force_reply"], &v); err != nil || !v {
			return nil, errMarkupJSON()
		}
		var selective bool
		if raw := obj["selective"]; raw != nil {
			if err := json.Unmarshal(raw, &selective); err != nil {
				return nil, errMarkupJSON()
			}
		}
		return &markup{forceReply: true, selective: selective}, nil
	}
	return nil, errMarkupJSON()
}

func parseInlineButton(raw map[string]json.RawMessage) (InlineButton, *apiError) {
	var b InlineButton
	if err := json.Unmarshal(raw["text"], &b.Text); err != nil || raw["text"] == nil {
		return b, badRequest("can't parse inline keyboard button: Field \"text\" must be of type String")
	}
	if b.Text == "" {
		return b, badRequest("BUTTON_TEXT_INVALID")
	}
	actions := 0
	for _, k := range inlineActions {
		if v, ok := raw[k]; ok && !bytes.Equal(v, []byte("null")) {
			actions++
		}
	}
	if actions == 0 {
		return b, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	for k, v := range raw {
		if bytes.Equal(v, []byte("null")) {
			continue
		}
		switch k {
		case "text":
		case "callback_data":
			if err := json.Unmarshal(v, &b.CallbackData); err != nil {
				return b, badRequest("can't parse inline keyboard button: Field \"callback_data\" must be of type String")
			}
			if n := len(b.CallbackData); n < 1 || n > maxCallbackDataBytes {
				return b, badRequest("BUTTON_DATA_INVALID")
			}
		case "url":
			if err := json.Unmarshal(v, &b.URL); err != nil {
				return b, badRequest("can't parse inline keyboard button: Field \"url\" must be of type String")
			}
			if _, ok := checkLink(b.URL); !ok {
				return b, badRequest("inline keyboard button URL '%s' is invalid: Wrong HTTP URL", b.URL)
			}
		case "switch_inline_query":
			var q string
			if err := json.Unmarshal(v, &q); err != nil {
				return b, errMarkupJSON()
			}
			b.SwitchInlineQuery = &q
		case "switch_inline_query_current_chat":
			var q string
			if err := json.Unmarshal(v, &q); err != nil {
				return b, errMarkupJSON()
			}
			b.SwitchInlineQueryCurrentChat = &q
		case "pay":
			if err := json.Unmarshal(v, &b.Pay); err != nil {
				return b, errMarkupJSON()
			}
		default:
			if b.extra == nil {
				b.extra = map[string]json.RawMessage{}
			}
			b.extra[k] = v
		}
	}
	return b, nil
}

// MarshalJSON encodes the button as a Bot API InlineKeyboardButton.
func (b InlineButton) MarshalJSON() ([]byte, error) {
	m := map[string]any{"text": b.Text}
	for k, v := range b.extra {
		m[k] = v
	}
	if b.CallbackData != "" {
		m["callback_data"] = b.CallbackData
	}
	if b.URL != "" {
		m["url"] = b.URL
	}
	if b.SwitchInlineQuery != nil {
		m["switch_inline_query"] = *b.SwitchInlineQuery
	}
	if b.SwitchInlineQueryCurrentChat != nil {
		m["switch_inline_query_current_chat"] = *b.SwitchInlineQueryCurrentChat
	}
	if b.Pay {
		m["pay"] = true
	}
	return json.Marshal(m)
}

// inlineMarkupJSON returns the wire form of an inline keyboard, or nil.
func inlineMarkupJSON(rows [][]InlineButton) json.RawMessage {
	if len(rows) == 0 {
		return nil
	}
	b, err := json.Marshal(map[string]any{"inline_keyboard": rows})
	if err != nil {
		panic(fmt.Sprintf("telegramtest: cannot encode keyboard: %v", err))
	}
	return b
}
