package handlers

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// A petition kept confidential hides who sent it from the unit that
// handles it, but not what they wrote: a phone number, an ID card number
// or the sender's own name typed into the text would tell. Its review
// screen warns of one and offers to write the text again. A warning, not
// a rule: the number may be someone else's.

// phoneInText is a Vietnamese phone number as people write it: a mobile
// (0, then 3, 5, 7, 8 or 9, then 8 digits) or a landline (02, then 9
// digits), with +84 for the 0 or not, its digits grouped by single
// spaces, dots, dashes or an area code's bracket ("(0236) 3822 123") or
// not, and no digit on either side. Amounts (150.000.000), dates and the
// tax codes of most provinces (0401234567) do not start so; Hồ Chí Minh
// City's (03…) are taken for one.
var phoneInText = regexp.MustCompile(`(?:^|[^\d+])(?:\+84|0)` + digitGap + `(?:[35789](?:` + digitGap + `\d){8}|2(?:` + digitGap + `\d){9})(?:$|\D)`)

// digitGap is what may come between two digits of a number as people
// write it.
const digitGap = `(?:[ .\-]|\) ?)?`

// dateInText is a date as people write it (05.12.2026, 5/12/2026): the
// digits of one followed by an hour ("05.12.2026 10 giờ") can look like a
// phone number.
var dateInText = regexp.MustCompile(`\d{1,2}[./\-]\d{1,2}[./\-]\d{4}`)

// idCardInText is a citizen identity card's number: twelve digits, the
// first a 0 (the province code), bare or in groups of three.
var idCardInText = regexp.MustCompile(`(?:^|\D)0\d{2}(?:[ .\-]?\d{3}){3}(?:$|\D)`)

// namesSender reports whether a petition's text seems to say who sent it:
// a phone or ID card number, or the sender's full name as their messenger
// gives it (namesPerson).
func namesSender(text, displayName string) bool {
	return slices.ContainsFunc(phoneInText.FindAllString(text, -1), func(m string) bool { return !dateInText.MatchString(m) }) ||
		idCardInText.MatchString(text) || namesPerson(text, displayName)
}

// namesPerson reports whether text holds a full name of three words or
// more, in any order ("An Nguyễn Văn" for "Nguyễn Văn An"), without tones
// or case. Two words are too often a street's or a ward's name, or
// everyday words ("Trần Phú", "Thanh Bình", "Văn Minh").
func namesPerson(text, name string) bool {
	want := strings.Fields(words(name))
	if len(want) < 3 {
		return false
	}
	slices.Sort(want)
	have := strings.Fields(words(text))
	for i := 0; i+len(want) <= len(have); i++ {
		window := slices.Clone(have[i : i+len(want)])
		slices.Sort(window)
		if slices.Equal(window, want) {
			return true
		}
	}
	return false
}

// words is s folded (fold) into its words, single-spaced, without the
// punctuation between them.
func words(s string) string {
	return strings.Join(strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}
