package handlers

import (
	"slices"
	"strings"
	"testing"
)

// FuzzSplitData checks the button data parser against its encoder: any
// data splits without panicking into a prefix and arguments that join back
// to it, and parts without a colon survive a round trip through data.
func FuzzSplitData(f *testing.F) {
	for _, d := range []string{
		"", ":", "::", "m:new", "l:en", "s:PA-2026-000001", "c:12", "a:skip", "a:7", "r:7:5",
		"o:accept:7", "o:to:7:12", "p:kind:set:phan_anh", "p:area:set:hai-chau", "p:review:send",
		"p:photos:next", "p:x:cancel", "o:accept:", ":accept:7", "o:accept:7:", "ơ:ừ:😀",
	} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d string) {
		prefix, args := splitData(d)
		if strings.Contains(prefix, ":") || slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, ":") }) {
			t.Fatalf("splitData(%q) = %q, %q: a part with a colon", d, prefix, args)
		}
		if back := data(append([]string{prefix}, args...)...); back != d {
			t.Fatalf("data(splitData(%q)) = %q", d, back)
		}
		parts := strings.FieldsFunc(d, func(r rune) bool { return r == ':' })
		if len(parts) == 0 {
			return
		}
		p, a := splitData(data(parts...))
		if got := append([]string{p}, a...); !slices.Equal(got, parts) {
			t.Fatalf("splitData(data(%q)) = %q", parts, got)
		}
	})
}
