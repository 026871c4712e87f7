package bot

import (
	"html"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzSplit builds well-formed HTML from the input, as danvan's templates
// do with escaped user text, and splits it at a fuzzed limit. Every part
// must fit, leave no tag open, cut no entity, show something when the text
// does, and start with a whole letter (not the accents of the last letter
// of the part before) unless that part offered no other cut; together the
// parts must say what the text said.
func FuzzSplit(f *testing.F) {
	f.Add("Nước ngập đường Nguyễn Huệ.|Từ 7 giờ sáng|<script>&", uint16(4096))
	f.Add(strings.Repeat("&", 2999)+"<", uint16(4096)) // a description in <i>, escaped to 15 000 units
	f.Add(strings.Repeat("😀", 3000), uint16(100))
	f.Add("a|b|c|d|e|f|g|h", uint16(0))
	f.Add(strings.Repeat("x ", 500)+"|"+strings.Repeat("\n\n", 50), uint16(70))
	f.Add("|"+strings.Repeat("Nước ngập ", 409), uint16(4016)) // <b> just over the limit
	f.Add(strings.Repeat("e\u0302\u0301", 1400), uint16(4016)) // decomposed "ế", no space
	f.Add(strings.Repeat("👨\u200d👩\u200d👧", 40), uint16(100))

	wrappers := [][2]string{{"", ""}, {"<b>", "</b>"}, {"<i>", "</i>"}, {"<b><i>", "</i></b>"},
		{`<a href="https://danvan.vn/?a=1&amp;b=2">`, "</a>"}, {"Nội dung:\n<i>", "</i>\n"}}
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		s = strings.ToValidUTF8(s, "")
		var b strings.Builder
		for i, seg := range strings.Split(s, "|") {
			w := wrappers[i%len(wrappers)]
			b.WriteString(w[0] + Escape(seg) + w[1] + " ")
		}
		text := b.String()
		max := 80 + int(limit)%MaxTextLen
		parts := Split(text, max)
		for i, p := range parts {
			if n := TextLen(p); n > max {
				t.Fatalf("part %d has %d units, over %d", i, n, max)
			}
			if open := openTags(p); len(open) > 0 || strings.Count(p, "</") != strings.Count(p, "<")-strings.Count(p, "</") {
				t.Fatalf("part %d is not balanced HTML: %q", i, p)
			}
			if cut := halfEntity.FindString(p); cut != "" {
				t.Fatalf("part %d cuts an entity: %q", i, cut)
			}
		}
		if plain(text) != "" {
			for i, p := range parts {
				if plain(p) == "" {
					t.Fatalf("part %d of %d shows nothing: %q", i+1, len(parts), p)
				}
			}
		}
		if !marksAfterSpace(text) {
			for i := 1; i < len(parts); i++ {
				if r, _ := utf8.DecodeRuneInString(plain(parts[i])); JoinsPrevious('a', r) && hasClusterBoundary(plain(parts[i-1])) {
					t.Fatalf("part %d starts with %U, cut from the letter ending part %d", i+1, r, i)
				}
			}
		}
		squash := strings.NewReplacer(" ", "", "\n", "")
		if got, want := squash.Replace(stripTags(strings.Join(parts, ""))), squash.Replace(stripTags(text)); got != want {
			t.Fatalf("the parts say something else:\n%q\nwant\n%q", got, want)
		}
	})
}

// halfEntity matches an & that does not start a whole entity.
var halfEntity = regexp.MustCompile(`&(?:[a-z#0-9]*(?:[^a-z#0-9;]|$))`)

var anyTag = regexp.MustCompile(`<[^<>]*>`)

func stripTags(s string) string { return anyTag.ReplaceAllString(s, "") }

// plain is what an HTML text shows, without its white space.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, html.UnescapeString(stripTags(s)))
}

// hasClusterBoundary reports whether a text shown as s could be cut after
// its first rune without splitting a letter or a joined emoji.
func hasClusterBoundary(s string) bool {
	prev, size := utf8.DecodeRuneInString(s)
	for _, r := range s[size:] {
		if !JoinsPrevious(prev, r) {
			return true
		}
		prev = r
	}
	return false
}

// marksAfterSpace reports whether the text shows a combining mark right
// after a space. A cut there is a fair cut (the split trims the space),
// and a piece of nothing but spaces before it is dropped, so the part
// before the mark is not the one it was cut from.
func marksAfterSpace(text string) bool {
	space := false
	for _, r := range html.UnescapeString(stripTags(text)) {
		if space && JoinsPrevious(' ', r) {
			return true
		}
		space = unicode.IsSpace(r)
	}
	return false
}
