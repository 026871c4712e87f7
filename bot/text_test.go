package bot

import (
	"strings"
	"testing"
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
	parts := Split(text, MaxTextLen)
	if len(parts) < 2 {
		t.Fatalf("got %d parts, want a split", len(parts))
	}
	for i, p := range parts {
		if TextLen(p) > MaxTextLen {
			t.Errorf("part %d has %d units", i, TextLen(p))
		}
		if strings.HasPrefix(p, "\n") || strings.HasSuffix(p, "\n") {
			t.Errorf("part %d is not trimmed", i)
		}
	}
	squash := strings.NewReplacer(" ", "", "\n", "")
	if squash.Replace(strings.Join(parts, "")) != squash.Replace(text) {
		t.Error("split lost or changed text")
	}
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
