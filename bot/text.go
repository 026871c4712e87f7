package bot

import (
	"strings"
	"unicode"
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

// Mention names a person in a way that notifies them and that a message's
// ForceReply targets, even when they have no username.
func Mention(userID, name string) string {
	return `<a href="tg://user?id=` + Escape(userID) + `">` + Escape(name) + `</a>`
}

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
// through a tag, an entity or a letter and its accents. A cut inside
// formatting (a long description in <i>) closes the open tags at the end
// of its part and opens them again at the start of the next, so that every
// part is valid HTML by itself. A piece with nothing to show (only tags
// and whitespace, such as the "<b></b>" left when a cut falls just before
// a closing tag) is dropped: Telegram refuses it as an empty message.
func Split(text string, limit int) []string {
	var parts []string
	for TextLen(text) > limit {
		part, rest := splitOnce(text, limit)
		if len(rest) >= len(text) {
			break // a limit too small for the markup: send the rest as is
		}
		if visible(part) {
			parts = append(parts, part)
		}
		text = rest
	}
	if visible(text) || len(parts) == 0 {
		parts = append(parts, text)
	}
	return parts
}

// visible reports whether an HTML text shows anything: Telegram refuses a
// message that is empty once its tags are parsed and its spaces trimmed.
func visible(s string) bool {
	for s != "" {
		if tag, ok := leadingTag(s); ok {
			s = s[len(tag):]
			continue
		}
		r, size := utf8.DecodeRuneInString(s)
		if !unicode.IsSpace(r) {
			return true
		}
		s = s[size:]
	}
	return false
}

// leadingTag returns the tag s starts with, if it does.
func leadingTag(s string) (string, bool) {
	if !strings.HasPrefix(s, "<") {
		return "", false
	}
	i := strings.IndexByte(s, '>')
	return s[:i+1], i >= 0
}

// splitOnce cuts a text longer than limit into a first part within limit,
// its open tags closed, and the rest, those tags opened again.
func splitOnce(text string, limit int) (part, rest string) {
	for budget := limit; ; {
		cut := cutPoint(text, budget)
		head, tail := strings.TrimRight(text[:cut], " \n"), strings.TrimLeft(text[cut:], " \n")
		open := openTags(head)
		var closers strings.Builder
		for i := len(open) - 1; i >= 0; i-- {
			closers.WriteString("</" + tagName(open[i]) + ">")
		}
		room := limit - TextLen(closers.String())
		if TextLen(head) <= room || room < limit/2 {
			return head + closers.String(), strings.Join(open, "") + tail
		}
		budget = min(budget-1, room)
	}
}

// openTags lists the opening tags (with their attributes) that s leaves
// open, outermost first.
func openTags(s string) []string {
	var open []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return open
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return open
		}
		tag := s[i : i+j+1]
		s = s[i+j+1:]
		switch name, closing := strings.CutPrefix(tagName(tag), "/"); {
		case !closing:
			open = append(open, tag)
		case len(open) > 0 && tagName(open[len(open)-1]) == name:
			open = open[:len(open)-1]
		}
	}
}

// tagName returns "a" for `<a href="...">` and "/a" for "</a>".
func tagName(tag string) string {
	name := strings.Trim(tag, "<>")
	if i := strings.IndexAny(name, " \t\n"); i >= 0 {
		name = name[:i]
	}
	return name
}

// cutPoint returns a byte offset to cut text at, given that text is longer
// than limit. It is never inside a tag or an entity, and never inside a
// letter (see clusterBoundary) unless the text offers no other cut.
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
		for end := len(head); ; {
			i := strings.LastIndex(head[:end], sep)
			if i <= max/2 {
				break
			}
			// Not the space in <a href=...>, nor one an accent sits on.
			if !inMarkup(head[:i]) && clusterBoundary(text, i+len(sep)) {
				return i + len(sep)
			}
			end = i
		}
	}
	// No good boundary: step back out of a tag or entity cut in half, and
	// off the accents and joiners of the letter the cut would split.
	cut, outOfMarkup := max, 0
	for cut > 0 {
		if inMarkup(text[:cut]) {
			cut = strings.LastIndexAny(text[:cut], "<&")
			continue
		}
		if clusterBoundary(text, cut) {
			return cut
		}
		if outOfMarkup == 0 {
			outOfMarkup = cut // a letter longer than a message: cut it here
		}
		_, size := utf8.DecodeLastRuneInString(text[:cut])
		cut -= size
	}
	if outOfMarkup > 0 {
		return outOfMarkup
	}
	return max // a tag longer than a message: cutting it beats looping
}

// clusterBoundary reports whether cutting text at i, and trimming the
// spaces and newlines the cut leaves at either end, keeps every letter
// whole: the part before shows something, does not end in a zero-width
// joiner, and the part after does not start with a rune that belongs to
// the letter before it. Vietnamese typed with a decomposing input method
// arrives as "e" + U+0302 + U+0301 for "ế"; a cut between them would end
// one message with a bare "e" and start the next with floating accents.
func clusterBoundary(text string, i int) bool {
	before, after := text[:i], text[i:]
	for {
		before = strings.TrimRight(before, " \n")
		if !strings.HasSuffix(before, ">") {
			break
		}
		j := strings.LastIndexByte(before, '<')
		if j < 0 {
			break
		}
		before = before[:j]
	}
	if before == "" {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(before)
	for {
		after = strings.TrimLeft(after, " \n")
		tag, ok := leadingTag(after)
		if !ok {
			break
		}
		after = after[len(tag):]
	}
	next, _ := utf8.DecodeRuneInString(after) // RuneError for none
	return !JoinsPrevious(last, next)
}

const zeroWidthJoiner = '\u200d'

// JoinsPrevious reports whether r, following prev, belongs to the same
// letter or emoji, so that no cut may fall between them: r is a combining
// mark (the variation selectors among them), a skin tone or an emoji tag,
// or either is a zero-width joiner. (The two halves of a flag are a pair
// only their count tells apart.)
func JoinsPrevious(prev, r rune) bool {
	return unicode.In(r, unicode.M, unicode.Variation_Selector) || r == zeroWidthJoiner || prev == zeroWidthJoiner ||
		r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F
}

// inMarkup reports whether s ends inside a tag or an entity.
func inMarkup(s string) bool {
	if i := strings.LastIndexByte(s, '<'); i >= 0 && !strings.Contains(s[i:], ">") {
		return true
	}
	i := strings.LastIndexByte(s, '&')
	return i >= 0 && strings.Trim(s[i+1:], "#0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
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
