package bot

import (
	"regexp"
	"strings"
	"testing"
)

// FuzzSplit builds well-formed HTML from the input, as danvan's templates
// do with escaped user text, and splits it at a fuzzed limit. Every part
// must fit, leave no tag open, cut no entity, and together the parts must
// say what the text said.
func FuzzSplit(f *testing.F) {
	f.Add("Nước ngập đường Nguyễn Huệ.|Từ 7 giờ sáng|<script>&", uint16(4096))
	f.Add(strings.Repeat("&", 2999)+"<", uint16(4096)) // a description in <i>, escaped to 15 000 units
	f.Add(strings.Repeat("😀", 3000), uint16(100))
	f.Add("a|b|c|d|e|f|g|h", uint16(0))
	f.Add(strings.Repeat("x ", 500)+"|"+strings.Repeat("\n\n", 50), uint16(70))

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
