package handlers

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// fold reduces Vietnamese text to a search key: lower case, no tones or
// diacritics, đ as d, single spaces. "Đường  Nguyễn Huệ" → "duong nguyen hue".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), runes.Map(mapDD), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

// đ and Đ are letters of their own, not d with a mark, so NFD keeps them.
func mapDD(r rune) rune {
	switch r {
	case 'đ':
		return 'd'
	case 'Đ':
		return 'D'
	}
	return r
}

// answerKey reduces a typed answer, or a button's label, to what the two
// are compared by: folded, without the marks and emoji around the words,
// so that "✅ Gửi phản ánh", "gửi phản ánh." and "Gui phan anh" agree.
func answerKey(s string) string {
	return strings.TrimFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// normalize prepares user text for storage: NFC, trimmed.
func normalize(s string) string { return strings.TrimSpace(norm.NFC.String(s)) }
