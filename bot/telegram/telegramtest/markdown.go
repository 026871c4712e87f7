package telegramtest

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Parsers for parse_mode "MarkdownV2" and the legacy "Markdown".

// ---- MarkdownV2 ----

const mdv2Reserved = "_*[]()~`>#+-=|{}.!"

type mdOpen struct {
	typ      string
	argument string
	offset   int
	bytePos  int // byte offset in the input, for errors
	outPos   int // byte offset in the output
}

// parseMarkdownV2 follows tdlib's parse_markdown_v2.
func parseMarkdownV2(text string) (string, []Entity, error) {
	var (
		out   strings.Builder
		off   int
		stack []mdOpen
		ents  []Entity
		n     = len(text)
		at    = func(i int) byte { return byteAt(text, i) }
	)
	lineStart := true
	quoteOpen := -1 // UTF-16 offset where the current blockquote started
	closeQuote := func() {
		if quoteOpen >= 0 && off > quoteOpen {
			ents = append(ents, Entity{Type: "blockquote", Offset: quoteOpen, Length: off - quoteOpen})
		}
		quoteOpen = -1
	}
	writeRune := func(i int) int {
		r, size := utf8.DecodeRuneInString(text[i:])
		out.WriteString(text[i : i+size])
		off += utf16.RuneLen(r)
		return size
	}
	for i := 0; i < n; {
		c := text[i]
		inCode := len(stack) > 0 && (stack[len(stack)-1].typ == "code" || stack[len(stack)-1].typ == "pre")
		if lineStart && !inCode {
			if c == '>' {
				if quoteOpen < 0 {
					quoteOpen = off
				}
				i++
				lineStart = false
				continue
			}
			closeQuote()
		}
		lineStart = false
		if c == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
			i++
			i += writeRune(i)
			continue
		}
		if inCode {
			top := stack[len(stack)-1]
			isEnd := c == '`' && (top.typ == "code" || (at(i+1) == '`' && at(i+2) == '`'))
			if !isEnd {
				i += writeRune(i)
				continue
			}
		} else if !strings.ContainsRune(mdv2Reserved, rune(c)) {
			if c == '\n' {
				lineStart = true
			}
			i += writeRune(i)
			continue
		}

		isEnd := false
		if len(stack) > 0 {
			switch top := stack[len(stack)-1]; top.typ {
			case "bold":
				isEnd = c == '*'
			case "italic":
				isEnd = c == '_' && at(i+1) != '_'
			case "code":
				isEnd = c == '`'
			case "pre":
				isEnd = c == '`' && at(i+1) == '`' && at(i+2) == '`'
			case "text_link", "custom_emoji":
				isEnd = c == ']'
			case "underline":
				isEnd = c == '_' && at(i+1) == '_'
			case "strikethrough":
				isEnd = c == '~'
			case "spoiler":
				isEnd = c == '|' && at(i+1) == '|'
			}
		}

		if !isEnd {
			begin := i
			var typ, argument string
			switch c {
			case '_':
				if at(i+1) == '_' {
					typ = "underline"
					i++
				} else {
					typ = "italic"
				}
			case '*':
				typ = "bold"
			case '~':
				typ = "strikethrough"
			case '|':
				if at(i+1) != '|' {
					return "", nil, fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
				}
				typ = "spoiler"
				i++
			case '[':
				typ = "text_link"
			case '`':
				if at(i+1) == '`' && at(i+2) == '`' {
					i += 3
					typ = "pre"
					langEnd := i
					for langEnd < n && !isSpaceByte(at(langEnd)) && at(langEnd) != '`' {
						langEnd++
					}
					if i != langEnd && langEnd < n && at(langEnd) != '`' {
						argument = text[i:langEnd]
						i = langEnd
					}
					if at(i) == '\n' || at(i) == '\r' {
						if (at(i+1) == '\n' || at(i+1) == '\r') && at(i) != at(i+1) {
							i += 2
						} else {
							i++
						}
					}
					i-- // compensate the i++ below
				} else {
					typ = "code"
				}
			case '!':
				if at(i+1) == '[' {
					typ = "custom_emoji"
					i++
					break
				}
				fallthrough
			default:
				return "", nil, fmt.Errorf("Character '%c' is reserved and must be escaped with the preceding '\\'", c)
			}
			stack = append(stack, mdOpen{typ: typ, argument: argument, offset: off, bytePos: begin, outPos: out.Len()})
			i++
			continue
		}

		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		skip := off == top.offset
		e := Entity{Type: top.typ, Offset: top.offset, Length: off - top.offset}
		switch top.typ {
		case "underline", "spoiler":
			i++
		case "pre":
			i += 2
			e.Language = top.argument
		case "text_link", "custom_emoji":
			var target string
			if at(i+1) != '(' {
				target = out.String()[top.outPos:]
			} else {
				i += 2
				urlBegin := i
				var b strings.Builder
				for i < n && at(i) != ')' {
					if at(i) == '\\' && at(i+1) > 0 && at(i+1) <= 126 {
						b.WriteByte(at(i + 1))
						i += 2
						continue
					}
					b.WriteByte(at(i))
					i++
				}
				if at(i) != ')' {
					return "", nil, fmt.Errorf("Can't find end of a URL at byte offset %d", urlBegin)
				}
				target = b.String()
			}
			if top.typ == "custom_emoji" {
				e.CustomEmojiID = strings.TrimPrefix(target, "tg://emoji?id=")
			} else if u, ok := checkLink(target); ok {
				e.URL = u
			} else {
				skip = true
			}
		}
		if !skip {
			ents = append(ents, e)
		}
		i++
	}
	if len(stack) > 0 {
		top := stack[len(stack)-1]
		return "", nil, fmt.Errorf("Can't find end of %s entity at byte offset %d", mdEntityName(top.typ), top.bytePos)
	}
	closeQuote()
	return out.String(), ents, nil
}

// mdEntityName spells entity types the way tdlib prints them in errors.
func mdEntityName(typ string) string {
	switch typ {
	case "text_link":
		return "TextUrl"
	case "custom_emoji":
		return "CustomEmoji"
	}
	return strings.ToUpper(typ[:1]) + typ[1:]
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// ---- legacy Markdown ----

// parseMarkdown follows tdlib's parse_markdown (parse_mode "Markdown").
func parseMarkdown(text string) (string, []Entity, error) {
	var (
		out  strings.Builder
		off  int
		ents []Entity
		n    = len(text)
		at   = func(i int) byte { return byteAt(text, i) }
	)
	writeRune := func(i int) int {
		r, size := utf8.DecodeRuneInString(text[i:])
		out.WriteString(text[i : i+size])
		off += utf16.RuneLen(r)
		return size
	}
	for i := 0; i < n; {
		c := text[i]
		if c == '\\' && strings.IndexByte("_*`[", at(i+1)) >= 0 && at(i+1) != 0 {
			i++
			i += writeRune(i)
			continue
		}
		if strings.IndexByte("_*`[", c) < 0 {
			i += writeRune(i)
			continue
		}
		begin := i
		endChar := c
		if c == '[' {
			endChar = ']'
		}
		i++
		isPre, language := false, ""
		if c == '`' && at(i) == '`' && at(i+1) == '`' {
			i += 2
			isPre = true
			langEnd := i
			for langEnd < n && !isSpaceByte(at(langEnd)) && at(langEnd) != '`' {
				langEnd++
			}
			if i != langEnd && langEnd < n && at(langEnd) != '`' {
				language = text[i:langEnd]
				i = langEnd
			}
			if at(i) == '\n' || at(i) == '\r' {
				if (at(i+1) == '\n' || at(i+1) == '\r') && at(i) != at(i+1) {
					i += 2
				} else {
					i++
				}
			}
		}
		start := off
		outStart := out.Len()
		for i < n && (at(i) != endChar || (isPre && !(at(i+1) == '`' && at(i+2) == '`'))) {
			i += writeRune(i)
		}
		if i >= n {
			return "", nil, fmt.Errorf("Can't find end of the entity starting at byte offset %d", begin)
		}
		if off > start {
			e := Entity{Offset: start, Length: off - start}
			switch c {
			case '_':
				e.Type = "italic"
			case '*':
				e.Type = "bold"
			case '`':
				e.Type = "code"
				if isPre {
					e.Type, e.Language = "pre", language
				}
			case '[':
				target := ""
				if at(i+1) == '(' {
					j := i + 2
					for j < n && at(j) != ')' {
						j++
					}
					if j < n {
						target = text[i+2 : j]
						i = j
					}
				}
				if target == "" {
					target = out.String()[outStart:]
				}
				if u, ok := checkLink(target); ok {
					e.Type, e.URL = "text_link", u
				}
			}
			if e.Type != "" {
				ents = append(ents, e)
			}
		}
		if isPre {
			i += 2
		}
		i++
	}
	return out.String(), ents, nil
}
