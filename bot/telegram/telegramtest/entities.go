package telegramtest

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds what every parse mode shares: turning formatted text into
// plain text plus entities the way Telegram does (the parsers themselves are
// in html.go and markdown.go), trimming, automatic entity detection and link
// checks. Offsets and lengths are in UTF-16 code units.

// utf16Len returns the length of s in UTF-16 code units, the unit Telegram
// uses for entity offsets and text limits.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// entityText returns the part of text an entity covers.
func entityText(text string, e Entity) string {
	u := utf16.Encode([]rune(text))
	if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > len(u) {
		return ""
	}
	return string(utf16.Decode(u[e.Offset : e.Offset+e.Length]))
}

// formatText applies parse_mode (or explicit entities) to raw text, adds
// the entities Telegram detects automatically and trims surrounding
// whitespace. strictAmp rejects a bare '&' in HTML.
func formatText(raw, parseMode, entitiesJSON string, strictAmp bool) (string, []Entity, *apiError) {
	var (
		text string
		ents []Entity
		err  error
	)
	switch strings.ToLower(parseMode) {
	case "":
		text = raw
		if entitiesJSON != "" {
			if e := decodeEntities(entitiesJSON, utf16Len(raw), &ents); e != nil {
				return "", nil, e
			}
		}
	case "html":
		text, ents, err = parseHTML(raw, strictAmp)
	case "markdownv2":
		text, ents, err = parseMarkdownV2(raw)
	case "markdown":
		text, ents, err = parseMarkdown(raw)
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", nil, badRequest("can't parse entities: %s", err.Error())
	}
	text, ents = trimText(text, ents)
	ents = append(ents, detectEntities(text, ents)...)
	sortEntities(ents)
	return text, ents, nil
}

func decodeEntities(js string, textLen int, out *[]Entity) *apiError {
	if err := jsonUnmarshalString(js, out); err != nil {
		return badRequest("can't parse entities JSON object")
	}
	for _, e := range *out {
		if e.Offset < 0 || e.Length <= 0 || e.Offset+e.Length > textLen {
			return badRequest("entity beginning is out of the text")
		}
	}
	return nil
}

func sortEntities(ents []Entity) {
	slices.SortStableFunc(ents, func(a, b Entity) int {
		if a.Offset != b.Offset {
			return a.Offset - b.Offset
		}
		return b.Length - a.Length
	})
}

// trimText strips leading and trailing whitespace like Telegram and moves
// or clips the entities accordingly.
func trimText(text string, ents []Entity) (string, []Entity) {
	trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
	lead := utf16Len(text[:len(text)-len(trimmed)])
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	n := utf16Len(trimmed)
	out := ents[:0]
	for _, e := range ents {
		start, end := max(e.Offset-lead, 0), min(e.Offset+e.Length-lead, n)
		if end > start {
			e.Offset, e.Length = start, end-start
			out = append(out, e)
		}
	}
	return trimmed, out
}

var (
	reCommand = regexp.MustCompile(`/[A-Za-z0-9_]{1,64}(@[A-Za-z0-9_]{3,32})?`)
	reMention = regexp.MustCompile(`@[A-Za-z0-9_]{5,32}`)
	reURL     = regexp.MustCompile(`https?://[^\s<>"]+`)
)

// detectEntities finds the entities Telegram adds on its own: bot commands,
// @mentions and URLs. Ranges inside code, pre and text links are skipped.
func detectEntities(text string, existing []Entity) []Entity {
	var found []Entity
	covered := func(off, length int) bool {
		for _, e := range existing {
			switch e.Type {
			case "code", "pre", "text_link":
				if off < e.Offset+e.Length && e.Offset < off+length {
					return true
				}
			}
		}
		for _, e := range found {
			if off < e.Offset+e.Length && e.Offset < off+length {
				return true
			}
		}
		return false
	}
	// Letters of any script join a word: "và/hoặc" holds no command.
	wordRune := func(r rune) bool {
		return r == '_' || r == '/' || r == '@' || unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	add := func(typ string, re *regexp.Regexp, trimPunct bool) {
		for _, loc := range re.FindAllStringIndex(text, -1) {
			start, end := loc[0], loc[1]
			if before, _ := utf8.DecodeLastRuneInString(text[:start]); start > 0 && wordRune(before) {
				continue
			}
			if trimPunct {
				end = start + len(strings.TrimRight(text[start:end], ".,;:!?)]'"))
			} else if after, _ := utf8.DecodeRuneInString(text[end:]); end < len(text) && wordRune(after) {
				continue
			}
			off, length := utf16Len(text[:start]), utf16Len(text[start:end])
			if !covered(off, length) {
				found = append(found, Entity{Type: typ, Offset: off, Length: length})
			}
		}
	}
	add("bot_command", reCommand, false)
	add("url", reURL, true)
	add("mention", reMention, false)
	return found
}

// checkLink validates a link target like tdlib's LinkManager::check_link:
// http, https, tg and ton links are accepted; a link without a scheme gets
// "http://".
func checkLink(link string) (string, bool) {
	link = strings.TrimSpace(link)
	if link == "" {
		return "", false
	}
	if !strings.Contains(link, "://") && !strings.HasPrefix(strings.ToLower(link), "tg:") {
		link = "http://" + link
	}
	u, err := url.Parse(link)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https", "ton":
		if u.Host == "" || strings.ContainsAny(u.Host, " <>") {
			return "", false
		}
	case "tg":
	default:
		return "", false
	}
	if u.Path == "" && u.RawQuery == "" && u.Fragment == "" && u.Scheme != "tg" {
		link += "/"
	}
	return link, true
}

// byteAt returns s[i], or 0 past the end (tdlib's parsers rely on a NUL
// terminator; this keeps the ported code close to the original).
func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
