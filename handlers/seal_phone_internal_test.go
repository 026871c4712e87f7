package handlers

import "testing"

// The words of a petition are found in a kept copy as storage's
// forgetSentPhone leaves it for each phone withdrawn: " · " and the number
// dropped, or the number replaced with "—".
func TestPhoneForgottenFindsTheWordsWithOrWithoutThePhone(t *testing.T) {
	words := "Gọi 0905000981 hoặc +84905000982 · 0905000981 (số nhà 12)"
	p := phoneForgotten(words)
	for _, kept := range []string{
		words,
		"Gọi — hoặc +84905000982 (số nhà 12)",             // 0905000981 withdrawn
		"Gọi 0905000981 hoặc +— · 0905000981 (số nhà 12)", // 84905000982 withdrawn
		"Gọi — hoặc — (số nhà 12)",                        // both
	} {
		if !p.MatchString("<b>list</b>\n" + kept + "\n") {
			t.Errorf("%q is not found in %q", words, kept)
		}
	}
	for _, other := range []string{"Gọi — hoặc — (số nhà 13)", "Gọi 0905000983 hoặc —"} {
		if p.MatchString(other) {
			t.Errorf("%q is found in %q", words, other)
		}
	}
	if phoneForgotten("") != nil || matches(nil, "x") {
		t.Error("an empty part is found")
	}
}
