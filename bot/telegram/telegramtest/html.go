package telegramtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Parser for parse_mode "HTML".

var htmlTags = []string{"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins",
	"tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote"}

type openTag struct {
	name     string
	argument string
	offset   int // UTF-16 offset in the result
	bytePos  int // byte offset in the result, for <a> without href
}

// parseHTML follows tdlib's parse_html, including its error messages.
func parseHTML(text string, strictAmp bool) (string, []Entity, error) {
	var (
		out     strings.Builder
		off     int // UTF-16 length of out
		stack   []openTag
		ents    []Entity
		n       = len(text)
		at      = func(i int) byte { return byteAt(text, i) }
		isSpace = func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v' }
	)
	for i := 0; i < n; {
		c := text[i]
		if c == '&' {
			if r, size := decodeHTMLEntity(text[i:]); size > 0 {
				out.WriteRune(r)
				off += utf16.RuneLen(r)
				i += size
				continue
			}
			if strictAmp {
				return "", nil, fmt.Errorf("Unsupported HTML entity at byte offset %d; escape '&' as &amp;", i)
			}
		}
		if c != '<' {
			r, size := utf8.DecodeRuneInString(text[i:])
			out.WriteString(text[i : i+size])
			off += utf16.RuneLen(r)
			i += size
			continue
		}

		begin := i
		i++
		if at(i) != '/' {
			// A start tag.
			for i < n && !isSpace(at(i)) && at(i) != '>' {
				i++
			}
			if i >= n {
				return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
			}
			tag := strings.ToLower(text[begin+1 : i])
			if !slices.Contains(htmlTags, tag) {
				return "", nil, fmt.Errorf("Unsupported start tag \"%s\" at byte offset %d", tag, begin)
			}
			argument := ""
			for at(i) != '>' {
				for i < n && isSpace(at(i)) {
					i++
				}
				if at(i) == '>' {
					break
				}
				if i >= n {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				attrBegin := i
				for i < n && !isSpace(at(i)) && at(i) != '=' && at(i) != '>' {
					i++
				}
				attr := text[attrBegin:i]
				if attr == "" {
					return "", nil, fmt.Errorf("Empty attribute name in the tag \"%s\" at byte offset %d", tag, begin)
				}
				for i < n && isSpace(at(i)) {
					i++
				}
				if at(i) != '=' {
					if tag == "blockquote" && attr == "expandable" {
						argument = "expandable"
						continue
					}
					if i >= n {
						return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
					}
					return "", nil, fmt.Errorf("Expected equal sign in declaration of an attribute of the tag \"%s\" at byte offset %d", tag, begin)
				}
				i++
				for i < n && isSpace(at(i)) {
					i++
				}
				if i >= n {
					return "", nil, fmt.Errorf("Unclosed start tag \"%s\" at byte offset %d", tag, begin)
				}
				var value strings.Builder
				if q := at(i); q != '\'' && q != '"' {
					tokBegin := i
					for i < n && (isAlnum(at(i)) || at(i) == '.' || at(i) == '-') {
						i++
					}
					value.WriteString(strings.ToLower(text[tokBegin:i]))
					if !isSpace(at(i)) && at(i) != '>' {
						return "", nil, fmt.Errorf("Unexpected end of name token at byte offset %d", tokBegin)
					}
				} else {
					i++
					for i < n && at(i) != q {
						if at(i) == '&' {
							if r, size := decodeHTMLEntity(text[i:]); size > 0 {
								value.WriteRune(r)
								i += size
								continue
							}
						}
						value.WriteByte(at(i))
						i++
					}
					if at(i) == q {
						i++
					}
				}
				if i >= n {
					return "", nil, fmt.Errorf("Unclosed start tag at byte offset %d", begin)
				}
				v := value.String()
				switch {
				case tag == "a" && attr == "href":
					argument = v
				case tag == "code" && attr == "class" && strings.HasPrefix(v, "language-"):
					argument = v[len("language-"):]
				case tag == "span" && attr == "class" && strings.HasPrefix(v, "tg-"):
					argument = v[len("tg-"):]
				case tag == "tg-emoji" && attr == "emoji-id":
					argument = v
				}
			}
			if tag == "span" && argument != "spoiler" {
				return "", nil, fmt.Errorf("Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", begin)
			}
			stack = append(stack, openTag{name: tag, argument: argument, offset: off, bytePos: out.Len()})
			i++ // skip '>'
			continue
		}

		// An end tag.
		if len(stack) == 0 {
			return "", nil, fmt.Errorf("Unexpected end tag at byte offset %d", begin)
		}
		for i < n && !isSpace(at(i)) && at(i) != '>' {
			i++
		}
		endName := strings.ToLower(text[begin+2 : i])
		for i < n && isSpace(at(i)) {
			i++
		}
		if at(i) != '>' {
			return "", nil, fmt.Errorf("Unclosed end tag at byte offset %d", begin)
		}
		i++
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if endName != "" && endName != top.name {
			return "", nil, fmt.Errorf("Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", begin, top.name, endName)
		}
		length := off - top.offset
		if length <= 0 {
			continue
		}
		e := Entity{Offset: top.offset, Length: length}
		switch top.name {
		case "b", "strong":
			e.Type = "bold"
		case "i", "em":
			e.Type = "italic"
		case "u", "ins":
			e.Type = "underline"
		case "s", "strike", "del":
			e.Type = "strikethrough"
		case "tg-spoiler", "span":
			e.Type = "spoiler"
		case "tg-emoji":
			e.Type, e.CustomEmojiID = "custom_emoji", top.argument
		case "blockquote":
			e.Type = "blockquote"
			if top.argument == "expandable" {
				e.Type = "expandable_blockquote"
			}
		case "a":
			link := top.argument
			if link == "" {
				link = out.String()[top.bytePos:]
			}
			u, ok := checkLink(link)
			if !ok {
				continue // Telegram silently drops links it cannot use
			}
			e.Type, e.URL = "text_link", u
		case "pre":
			// <pre><code class="language-x">...</code></pre> is one entity.
			if k := len(ents) - 1; k >= 0 && ents[k].Type == "code" && ents[k].Offset == e.Offset && ents[k].Length == e.Length && ents[k].Language != "" {
				ents[k].Type = "pre"
				continue
			}
			e.Type = "pre"
		case "code":
			if k := len(ents) - 1; k >= 0 && ents[k].Type == "pre" && ents[k].Offset == e.Offset && ents[k].Length == e.Length {
				ents[k].Language = top.argument
				continue
			}
			e.Type, e.Language = "code", top.argument
		}
		ents = append(ents, e)
	}
	if len(stack) > 0 {
		return "", nil, fmt.Errorf("Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	// A lone "code" entity keeps no language.
	for k := range ents {
		if ents[k].Type == "code" {
			ents[k].Language = ""
		}
	}
	return out.String(), ents, nil
}

// decodeHTMLEntity decodes &lt; &gt; &amp; &quot; and numeric references at
// the start of s. size is 0 if s does not start with one.
func decodeHTMLEntity(s string) (rune, int) {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 10 {
		return 0, 0
	}
	name := s[1:end]
	switch name {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	}
	if name[0] != '#' {
		return 0, 0
	}
	var (
		v   uint64
		err error
	)
	if len(name) > 1 && (name[1] == 'x' || name[1] == 'X') {
		v, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		v, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || v == 0 || v > unicode.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return 0, 0
	}
	return rune(v), end + 1
}
