package demo

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// A text too long for one message is cut as Telegram's apps cut it: parts
// within the limit in UTF-16 units, at a whitespace near the limit, never
// inside a character (a surrogate pair, a letter and its combining marks,
// a joined emoji), and nothing lost but the whitespace at the cuts.
func TestSplitText(t *testing.T) {
	decomposed := "Nu\u031Bo\u031B\u0301c tha\u0309i " // «Nước thải» with combining marks
	family := "👩\u200D👩\u200D👧\u200D👦"                 // one character of 11 UTF-16 units
	cases := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"short", "  xin chào  ", 20, []string{"xin chào"}},
		{"blank", " \n\t ", 20, nil},
		{"at a space", "một hai ba bốn năm", 10, []string{"một hai ba", "bốn năm"}},
		{"no space near the limit", "a " + strings.Repeat("x", 12), 10, []string{"a xxxxxxxx", "xxxx"}},
		{"emoji", strings.Repeat("😀", 5), 4, []string{"😀😀", "😀😀", "😀"}},
		{"family", "ab" + family + family, 12, []string{"ab", family, family}},
		{"flags", "🇻🇳🇻🇳", 6, []string{"🇻🇳", "🇻🇳"}},
	}
	for _, c := range cases {
		got := splitText(c.text, c.limit)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%s: %q", c.name, got)
		}
	}

	for _, text := range []string{
		strings.Repeat(decomposed, 700),
		strings.Repeat("😀", 3000),
		strings.Repeat(family, 600),
		"a " + strings.Repeat("x", 5000),
		strings.Repeat("Nước thải tràn ra đường. ", 400),
	} {
		parts := splitText(text, maxTextLen)
		if len(parts) < 2 {
			t.Fatalf("%d parts of a %d-unit text", len(parts), utf16Len(text))
		}
		for _, p := range parts {
			first, _ := utf8.DecodeRuneInString(p)
			if n := utf16Len(p); n == 0 || n > maxTextLen || unicode.Is(unicode.M, first) || first == '\u200D' {
				t.Fatalf("a part of %d units starting with %U", n, first)
			}
		}
		if strings.Join(strings.Fields(strings.Join(parts, " ")), " ") != strings.Join(strings.Fields(text), " ") &&
			strings.Join(parts, "") != strings.TrimSpace(text) {
			t.Fatalf("the parts lose text")
		}
	}
}
