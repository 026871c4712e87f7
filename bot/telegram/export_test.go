package telegram

import "encoding/json"

// ChatKey returns the inbox key of a raw update: updates with the same key
// are handled one at a time, in order. It is "telegram:<chat id>"; a
// callback query belongs to the chat of its message, or of the person
// who pressed the button.
func ChatKey(raw json.RawMessage) string {
	var h updateHead
	if err := json.Unmarshal(raw, &h); err != nil {
		return Channel + ":undecodable"
	}
	return h.chatKey()
}
