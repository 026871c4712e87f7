package bot

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	got := Escape(`<b>Đường</b> & "ngõ" 5>3`)
	want := `&lt;b&gt;Đường&lt;/b&gt; &amp; "ngõ" 5&gt;3`
	if got != want {
		t.Fatalf("Escape = %q, want %q", got, want)
	}
}

func TestSplitKeepsLimitAndContent(t *testing.T) {
	para := strings.Repeat("Nước ngập đường Nguyễn Huệ. ", 40) // about 1100 units
	text := strings.Join([]string{para, para, para, para, para}, "\n\n")
	parts := splitWithinLimit(t, text)
	for i, p := range parts {
		if strings.HasPrefix(p, "\n") || strings.HasSuffix(p, "\n") {
			t.Errorf("part %d is not trimmed", i)
		}
	}
	squash := strings.NewReplacer(" ", "", "\n", "")
	if squash.Replace(strings.Join(parts, "")) != squash.Replace(text) {
		t.Error("split lost or changed text")
	}
}

// splitWithinLimit splits a text longer than a message and checks that it
// took several parts, each within the limit.
func splitWithinLimit(t *testing.T, text string) []string {
	t.Helper()
	parts := Split(text, MaxTextLen)
	if len(parts) < 2 {
		t.Fatalf("got %d parts, want a split", len(parts))
	}
	for i, p := range parts {
		if n := TextLen(p); n > MaxTextLen {
			t.Errorf("part %d of %d has %d units", i+1, len(parts), n)
		}
	}
	return parts
}

func TestSplitNeverCutsAnEntity(t *testing.T) {
	text := strings.Repeat("a", 4094) + "&amp;bbbb"
	parts := Split(text, MaxTextLen)
	if len(parts) != 2 || parts[1] != "&amp;bbbb" {
		t.Fatalf("parts = %q...", parts[len(parts)-1])
	}
}

func TestSplitCountsUTF16(t *testing.T) {
	// An emoji is two UTF-16 units: 2100 of them need two messages.
	parts := Split(strings.Repeat("😀", 2100), MaxTextLen)
	if len(parts) != 2 || TextLen(parts[0]) > MaxTextLen {
		t.Fatalf("got %d parts, first %d units", len(parts), TextLen(parts[0]))
	}
}

// A text just over the limit because of its formatting would leave a last
// piece with nothing but the tags ("<b></b>"), which Telegram refuses as
// an empty message; such pieces are dropped, and every part shows text.
func TestSplitLeavesNoEmptyPart(t *testing.T) {
	body := strings.Repeat("Nước ngập ", 409) // 4090 units
	for _, text := range []string{
		"<b>" + body + "</b>",
		"<i>" + body + "\n</i>",
		"<b>" + strings.Repeat(" ", 3000) + "</b>" + strings.Repeat("x", 2000),
	} {
		parts := Split(text, MaxTextLen)
		for i, p := range parts {
			if strings.TrimSpace(stripTags(p)) == "" || TextLen(p) > MaxTextLen {
				t.Errorf("part %d of %d shows nothing or is too long (%d units): %.40q", i+1, len(parts), TextLen(p), p)
			}
		}
	}
}

// Vietnamese typed with a decomposing input method (Unikey's "tổ hợp",
// macOS file names, some Windows keyboards) arrives as a base letter
// followed by combining marks: "ế" is "e" + U+0302 + U+0301. Where there
// is no space to cut at (a long code, a pasted link, a run of text without
// spaces) the cut still falls between letters, never between a letter and
// its accents, nor inside an emoji joined with U+200D.
func TestSplitKeepsVietnameseLettersWhole(t *testing.T) {
	ee := "e\u0302\u0301" // ế, decomposed: 3 UTF-16 units
	family := "👨\u200d👩\u200d👧"
	for _, text := range []string{
		strings.Repeat(ee, 1400),                      // 4200 units, no space
		"<i>" + strings.Repeat("ng"+ee, 900) + "</i>", // a long "word" in formatting
		strings.Repeat(family, 600),                   // 4800 units, no space
	} {
		parts := splitWithinLimit(t, text)
		for i, p := range parts {
			plain := stripTags(p)
			if r, _ := utf8.DecodeRuneInString(plain); JoinsPrevious('a', r) {
				t.Errorf("part %d of %d starts with %U: a letter was cut from its accents", i+1, len(parts), r)
			}
			if r, _ := utf8.DecodeLastRuneInString(plain); r == zeroWidthJoiner {
				t.Errorf("part %d of %d ends with a zero-width joiner", i+1, len(parts))
			}
		}
	}
	// A letter longer than a message still gets cut, rather than never
	// being sent.
	if parts := Split("a"+strings.Repeat("\u0301", 5000), MaxTextLen); len(parts) != 2 {
		t.Errorf("got %d parts, want 2", len(parts))
	}
	if !unicode.Is(unicode.Mn, '\ufe0f') || !JoinsPrevious('a', '\ufe0f') {
		t.Error("a variation selector must stay with its emoji")
	}
}

func TestPartsKeepsButtonsOnLast(t *testing.T) {
	o := Outgoing{Kind: KindText, ChatID: "1", Text: strings.Repeat("x ", 3000),
		Buttons: [][]InlineButton{{{Text: "OK", Data: "ok"}}}}
	parts := o.Parts()
	if len(parts) != 2 {
		t.Fatalf("got %d parts", len(parts))
	}
	if parts[0].Buttons != nil || parts[1].Buttons == nil {
		t.Error("buttons must be on the last part only")
	}
}
