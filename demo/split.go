package demo

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// Telegram's limits on what a person sends, in UTF-16 code units after
// trimming, as Telegram counts them.
const (
	maxTextLen    = 4096
	maxCaptionLen = 1024
)

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// textMessages is a text as Telegram's apps send it: one message, or
// several when it is over the limit of one (see splitText).
func textMessages(text string) []telegramtest.Incoming {
	var out []telegramtest.Incoming
	for _, part := range splitText(text, maxTextLen) {
		out = append(out, telegramtest.Incoming{Text: part})
	}
	return out
}

// splitText cuts a text into trimmed parts of at most limit UTF-16 units,
// as Telegram's apps cut a text too long for one message: at a
// whitespace where there is one near the limit, otherwise between two
// characters, never inside a surrogate pair (the cut is between runes),
// a base and its combining marks, or a joined emoji sequence. A blank
// text has no parts.
func splitText(text string, limit int) []string {
	var parts []string
	for {
		text = strings.TrimSpace(text)
		if text == "" {
			return parts
		}
		if utf16Len(text) <= limit {
			return append(parts, text)
		}
		cut := cutAt(text, limit)
		parts = append(parts, strings.TrimSpace(text[:cut]))
		text = text[cut:]
	}
}

// cutAt is the byte offset where the first part of a trimmed text over
// limit ends: before the last whitespace that fits (in the second half of
// the part, not to leave a short one), else at the last
// boundary between characters that fits, else (a single character over
// the limit: a base with thousands of marks) between the last two runes
// that fit. The part is never empty.
func cutAt(text string, limit int) int {
	n, space, boundary, last := 0, 0, 0, 0
	flags := 0 // regional indicators in a row up to here: pairs are flags
	var prev rune
	for i, r := range text {
		if n > limit {
			break
		}
		if i > 0 {
			last = i
			if !bot.JoinsPrevious(prev, r) && (!regional(r) || flags%2 == 0) {
				boundary = i
				if unicode.IsSpace(r) && n >= limit/2 {
					space = i
				}
			}
		}
		if regional(r) {
			flags++
		} else {
			flags = 0
		}
		prev, n = r, n+utf16.RuneLen(r)
	}
	switch {
	case space > 0:
		return space
	case boundary > 0:
		return boundary
	case last > 0:
		return last
	}
	_, size := utf8.DecodeRuneInString(text) // a limit under one character
	return size
}

// regional reports whether r is a regional indicator, half of a flag.
func regional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
