package bot

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxTextLen is Telegram's limit for a message text, in UTF-16 code units.
const MaxTextLen = 4096

// MaxCaptionLen is Telegram's limit for a caption.
const MaxCaptionLen = 1024

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// Escape makes user-supplied text safe inside an HTML message.
func Escape(s string) string { return htmlEscaper.Replace(s) }

// TextLen measures text the way Telegram limits it (UTF-16 code units).
func TextLen(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// Split cuts an HTML text into parts of at most limit UTF-16 units,
// preferring paragraph, then line, then word boundaries, and never cutting
// through a tag or an entity. Tags must not span lines for a cut to keep
// them balanced; danvan's templates keep formatting within a line.
func Split(text string, limit int) []string {
	var parts []string
	for TextLen(text) > limit {
		cut := cutPoint(text, limit)
		parts = append(parts, strings.TrimRight(text[:cut], " \n"))
		text = strings.TrimLeft(text[cut:], " \n")
	}
	if text != "" || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// cutPoint returns a byte offset to cut text at, given that text is longer
// than limit.
func cutPoint(text string, limit int) int {
	// The longest prefix within the limit.
	max, n := 0, 0
	for i, r := range text {
		n += utf16.RuneLen(r)
		if n > limit {
			break
		}
		max = i + utf8.RuneLen(r)
	}
	head := text[:max]
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(head, sep); i > max/2 {
			return i + len(sep)
		}
	}
	// No good boundary: step back out of a tag or entity cut in half.
	if i := strings.LastIndexAny(head, "<&"); i >= 0 && !strings.ContainsAny(head[i:], ">;") {
		return i
	}
	return max
}

// Parts splits a long text message into several, keeping the buttons on the
// last one. Other kinds are returned unchanged.
func (o Outgoing) Parts() []Outgoing {
	if o.Kind != KindText || TextLen(o.Text) <= MaxTextLen {
		return []Outgoing{o}
	}
	texts := Split(o.Text, MaxTextLen)
	out := make([]Outgoing, len(texts))
	for i, t := range texts {
		part := o
		part.Text = t
		if i < len(texts)-1 {
			part.Buttons, part.Reply, part.RemoveReply = nil, nil, false
		}
		out[i] = part
	}
	return out
}
