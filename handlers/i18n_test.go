package handlers

import (
	"regexp"
	"slices"
	"testing"
)

var verbs = regexp.MustCompile(`%[sdv]`)

// Every text exists in every language with the same arguments, so switching
// language can never show a key or a broken sentence.
func TestCatalogsMatch(t *testing.T) {
	c, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	base := c[languages[0]]
	for _, lang := range languages[1:] {
		for key, msg := range base {
			other, ok := c[lang][key]
			if !ok {
				t.Errorf("%s: missing %q", lang, key)
				continue
			}
			if !slices.Equal(verbs.FindAllString(msg, -1), verbs.FindAllString(other, -1)) {
				t.Errorf("%s: %q has different arguments", lang, key)
			}
		}
		for key := range c[lang] {
			if _, ok := base[key]; !ok {
				t.Errorf("%s: %q is not in %s", lang, key, languages[0])
			}
		}
	}
}
