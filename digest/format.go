package digest

import (
	"fmt"
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/workcal"
)

// numbers formats numbers the way a language writes them: Vietnamese
// "1.234" and "97,45%", English "1,234" and "97.45%".
type numbers struct{ thousands, decimal string }

var (
	viNumbers = numbers{thousands: ".", decimal: ","}
	enNumbers = numbers{thousands: ",", decimal: "."}
)

// int groups thousands.
func (n numbers) int(v int) string {
	s := strconv.Itoa(max(v, -v))
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(n.thousands)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fixed writes v with the given decimals, rounding halves away from zero
// as people do (2,25 → 2,3).
func (n numbers) fixed(v float64, decimals int) string {
	scale := math.Pow(10, float64(decimals))
	s := strconv.FormatFloat(math.Round(v*scale)/scale, 'f', decimals, 64)
	whole, frac, _ := strings.Cut(s, ".")
	i, _ := strconv.Atoi(whole)
	out := n.int(i)
	if whole == "-0" {
		out = "-0"
	}
	if frac != "" {
		out += n.decimal + frac
	}
	return out
}

// percent writes a share (0–1) as a percentage with two decimals.
func (n numbers) percent(share float64) string { return n.fixed(share*100, 2) + "%" }

// date writes dd/mm/yyyy in Vietnam time.
func date(t time.Time) string { return t.In(workcal.Location()).Format("02/01/2006") }

// shortDate writes dd/mm in Vietnam time.
func shortDate(t time.Time) string { return t.In(workcal.Location()).Format("02/01") }

// maxName keeps the message within Telegram's limit whatever the names.
const maxName = 60

// name escapes a name from the database and shortens a very long one.
func name(s string) string {
	if utf8.RuneCountInString(s) > maxName {
		s = string([]rune(s)[:maxName-1]) + "…"
	}
	return bot.Escape(s)
}

var tag = regexp.MustCompile(`</?[bi]>`)

// PlainText turns a rendered digest into plain text, for a terminal.
func PlainText(s string) string { return html.UnescapeString(tag.ReplaceAllString(s, "")) }

// duration writes an answer time in its two largest units: days and
// hours, or hours and minutes.
func (l *lang) duration(d time.Duration) string {
	parts := []struct {
		n    int
		unit string
	}{
		{int(d / (24 * time.Hour)), l.day},
		{int(d/time.Hour) % 24, l.hour},
		{int(d/time.Minute) % 60, l.minute},
	}
	for i, p := range parts[:2] {
		if p.n > 0 {
			s := fmt.Sprintf("%d %s", p.n, p.unit)
			if next := parts[i+1]; next.n > 0 {
				s += fmt.Sprintf(" %d %s", next.n, next.unit)
			}
			return s
		}
	}
	if parts[2].n == 0 {
		return l.underMinute
	}
	return fmt.Sprintf("%d %s", parts[2].n, parts[2].unit)
}
