package handlers

import (
	"regexp"
	"strings"
)

// numberRun is a run of digits as a phone is kept (parsePhone, normalize),
// with its " · " before it when it follows one, as on a card's sender line.
var numberRun = regexp.MustCompile(`(?: · )?\+?[0-9]+`)

// phoneForgotten is a pattern that finds part (a petition's words, as
// cards and lists show them) in a message whether or not a withdrawn phone
// was taken out of its kept copy since (storage.forgetSentPhone: " · "
// and the number dropped, or the number replaced with "—"): each number
// in it may read "—", and one after " · " may be gone with it. Sealing
// must still find the petition's words there (law.md §5). nil for an
// empty part.
func phoneForgotten(part string) *regexp.Regexp {
	if part == "" {
		return nil
	}
	var b strings.Builder
	last := 0
	for _, m := range numberRun.FindAllStringIndex(part, -1) {
		b.WriteString(regexp.QuoteMeta(part[last:m[0]]))
		run := part[m[0]:m[1]]
		number, dot := strings.CutPrefix(run, " · ")
		alt := `(?:` + regexp.QuoteMeta(number) + `|\+?—)`
		if dot {
			alt = `(?: · ` + alt + `)?`
		}
		b.WriteString(alt)
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(part[last:]))
	return regexp.MustCompile(b.String())
}
