package main

import (
	"regexp"
	"strings"
	"testing"
)

// Invitation codes draw every letter of their alphabet equally often: a
// letter drawn more often would make codes easier to guess. Over 400,000
// letters a chi-square statistic above 80 (30 degrees of freedom) happens
// by chance about once in a million runs; mapping bytes modulo 31, which
// favours 8 letters by 9 to 8, gives about 1,100.
func TestInviteCodesDrawEveryLetterEqually(t *testing.T) {
	shape := regexp.MustCompile(`^[` + inviteAlphabet + `]{4}-[` + inviteAlphabet + `]{4}$`)
	counts := map[rune]int{}
	const codes = 50000
	for range codes {
		code := newInviteCode()
		if !shape.MatchString(code) {
			t.Fatalf("code %q is not four letters, a dash and four letters of %s", code, inviteAlphabet)
		}
		for _, r := range strings.ReplaceAll(code, "-", "") {
			counts[r]++
		}
	}
	expected := float64(codes*8) / float64(len(inviteAlphabet))
	var chi2 float64
	for _, r := range inviteAlphabet {
		d := float64(counts[r]) - expected
		chi2 += d * d / expected
	}
	if chi2 > 80 {
		t.Errorf("letters drawn unevenly: chi-square %.0f over %d letters (counts %v)", chi2, codes*8, counts)
	}
}
