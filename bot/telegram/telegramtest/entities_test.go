package telegramtest

import (
	"slices"
	"testing"
)

func TestParseHTML(t *testing.T) {
	for _, tc := range []struct {
		in   string
		text string
		ents []Entity
	}{
		{"<b>a</b>", "a", []Entity{{Type: "bold", Length: 1}}},
		{"<strong>Đ</strong><i>x</i>", "Đx", []Entity{{Type: "bold", Length: 1}, {Type: "italic", Offset: 1, Length: 1}}},
		{`<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>`, "st", []Entity{{Type: "spoiler", Length: 1}, {Type: "spoiler", Offset: 1, Length: 1}}},
		{`<pre><code class="language-go">x := 1</code></pre>`, "x := 1", []Entity{{Type: "pre", Length: 6, Language: "go"}}},
		{`<code>c</code>`, "c", []Entity{{Type: "code", Length: 1}}},
		{`<blockquote expandable>q</blockquote>`, "q", []Entity{{Type: "expandable_blockquote", Length: 1}}},
		{`<a href='tg://user?id=1'>u</a>`, "u", []Entity{{Type: "text_link", Length: 1, URL: "tg://user?id=1"}}},
		{`<a href="javascript:alert(1)">x</a>`, "x", nil}, // dropped silently
		{`<u>😀</u>`, "😀", []Entity{{Type: "underline", Length: 2}}},
		{`&#7879;&#x1F600;&quot;`, "ệ😀\"", nil},
		{`<b></b>empty`, "empty", nil},
		{`<B>upper</B>`, "upper", []Entity{{Type: "bold", Length: 5}}},
	} {
		text, ents, err := parseHTML(tc.in, true)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if text != tc.text || !slices.Equal(ents, tc.ents) {
			t.Errorf("%q: got %q %+v, want %q %+v", tc.in, text, ents, tc.text, tc.ents)
		}
	}
	for _, bad := range []string{"<b", "<b>x</b", `<a href="x>y</a>`, `<span>x</span>`, "<p>x</p>", "</b>", "<b>x</i></b>", "<br/>", "a&b"} {
		if _, _, err := parseHTML(bad, true); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestParseMarkdownV2(t *testing.T) {
	text, ents, err := parseMarkdownV2("*đậm* _nghiêng_ __gạch__ ~xoá~ ||ẩn|| `mã` [link](https://x.vn) 1\\.000")
	if err != nil {
		t.Fatal(err)
	}
	if text != "đậm nghiêng gạch xoá ẩn mã link 1.000" {
		t.Fatalf("text %q", text)
	}
	var types []string
	for _, e := range ents {
		types = append(types, e.Type)
	}
	if !slices.Equal(types, []string{"bold", "italic", "underline", "strikethrough", "spoiler", "code", "text_link"}) {
		t.Fatalf("types %v", types)
	}
	text, ents, err = parseMarkdownV2("```go\nx := 1\n```")
	if err != nil || text != "x := 1\n" || ents[0].Type != "pre" || ents[0].Language != "go" {
		t.Fatalf("pre: %q %+v %v", text, ents, err)
	}
	text, ents, err = parseMarkdownV2(">trích dẫn\nthường")
	if err != nil || text != "trích dẫn\nthường" || len(ents) != 1 || ents[0].Type != "blockquote" {
		t.Fatalf("quote: %q %+v %v", text, ents, err)
	}
	for _, bad := range []string{"1.0", "a-b", "*x", "[x](http://a", "(x)", "x!"} {
		if _, _, err := parseMarkdownV2(bad); err == nil {
			t.Errorf("%q: want error", bad)
		}
	}
}

func TestParseMarkdown(t *testing.T) {
	text, ents, err := parseMarkdown("*b* _i_ `c` [l](http://x.vn) 1.0-2")
	if err != nil || text != "b i c l 1.0-2" || len(ents) != 4 || ents[3].URL != "http://x.vn/" {
		t.Fatalf("%q %+v %v", text, ents, err)
	}
	if _, _, err := parseMarkdown("*open"); err == nil {
		t.Fatal("want error")
	}
}

func TestFormatTextTrimsAndDetects(t *testing.T) {
	text, ents, e := formatText("  <b>x</b> /help@danvan_test_bot https://dichvucong.gov.vn. @someone  ", "HTML", "", true)
	if e != nil {
		t.Fatal(e)
	}
	if text != "x /help@danvan_test_bot https://dichvucong.gov.vn. @someone" {
		t.Fatalf("text %q", text)
	}
	want := []Entity{
		{Type: "bold", Offset: 0, Length: 1},
		{Type: "bot_command", Offset: 2, Length: 21},
		{Type: "url", Offset: 24, Length: 25},
		{Type: "mention", Offset: 51, Length: 8},
	}
	if !slices.Equal(ents, want) {
		t.Fatalf("entities %+v", ents)
	}
	// A slash between Vietnamese words starts no command; after a space it does.
	_, ents, _ = formatText("Cá nhân và/hoặc tổ chức; gửi /my", "", "", true)
	if len(ents) != 1 || ents[0].Type != "bot_command" || ents[0].Offset != 29 {
		t.Fatalf("entities in Vietnamese text %+v", ents)
	}
	// Commands inside code are not detected.
	_, ents, _ = formatText("<code>/start</code>", "HTML", "", true)
	if len(ents) != 1 || ents[0].Type != "code" {
		t.Fatalf("code %+v", ents)
	}
	// Explicit entities are checked against the text.
	if _, _, e := formatText("abc", "", `[{"type":"bold","offset":2,"length":5}]`, true); e == nil {
		t.Fatal("out-of-range entity accepted")
	}
}

func TestUTF16Len(t *testing.T) {
	for s, n := range map[string]int{"": 0, "abc": 3, "Việt": 4, "😀": 2, "👍🏽": 4} {
		if got := utf16Len(s); got != n {
			t.Errorf("%q: %d, want %d", s, got, n)
		}
	}
}
