package handlers

import (
	"regexp"
	"strings"
	"unicode"
)

// A petition kept confidential hides who sent it from the unit that
// handles it, but not what they wrote: a phone number, an ID card number
// or the sender's own name typed into the text would tell. Its review
// screen warns of one and offers to write the text again.

// numberInText is a run of digits, possibly grouped by single spaces,
// dots or dashes ("0905 123 456", "+84.905.123.456").
var numberInText = regexp.MustCompile(`\+?\d+(?:[ .\-]\d+)*`)

// idCardNumber is a citizen identity card's number: twelve digits, the
// first a 0 (the province code).
var idCardNumber = regexp.MustCompile(`^0\d{11}$`)

// namesSender reports whether a petition's text seems to say who sent it:
// a phone or ID card number, or the sender's full name as their messenger
// gives it (two words or more, compared without tones or case).
func namesSender(text, displayName string) bool {
	for _, m := range numberInText.FindAllString(text, -1) {
		if _, phone := parsePhone(m); phone || idCardNumber.MatchString(numberSeparators.Replace(m)) {
			return true
		}
	}
	name := words(displayName)
	return strings.Contains(name, " ") && strings.Contains(" "+words(text)+" ", " "+name+" ")
}

// words is s folded (fold) into its words, single-spaced, without the
// punctuation between them.
func words(s string) string {
	return strings.Join(strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}
