package handlers

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"
)

//go:embed locales/*.json
var localeFiles embed.FS

// Languages danvan speaks; the first is the default.
var languages = []string{"vi", "en"}

// catalog holds the user-facing texts, per language and key. Texts are HTML
// with fmt verbs; arguments that come from users must be escaped.
type catalog map[string]map[string]string

func loadCatalog() (catalog, error) {
	c := catalog{}
	for _, lang := range languages {
		data, err := localeFiles.ReadFile(path.Join("locales", lang+".json"))
		if err != nil {
			return nil, fmt.Errorf("handlers: locale %s: %w", lang, err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(data, &msgs); err != nil {
			return nil, fmt.Errorf("handlers: locale %s: %w", lang, err)
		}
		c[lang] = msgs
	}
	return c, nil
}

// text renders a message in a language, falling back to Vietnamese; a
// missing key shows itself rather than an empty message (tests catch it).
func (c catalog) text(lang, key string, args ...any) string {
	msg, ok := c[lang][key]
	if !ok {
		msg, ok = c[languages[0]][key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 {
		return msg
	}
	var said []any // args in lang, when one is localized: the caller's may go to other languages too
	for i, a := range args {
		if l, ok := a.(localized); ok {
			if said == nil {
				said = slices.Clone(args)
			}
			said[i] = l.in(lang)
		}
	}
	if said != nil {
		args = said
	}
	return fmt.Sprintf(msg, args...)
}

// localized is a message's argument said in each language its own way (a
// unit's name): catalog.text gives it in the message's language.
type localized interface{ in(lang string) string }

// buttonLabels are the labels of the buttons ("btn." keys) in every
// language, as answerKey reads them.
func (c catalog) buttonLabels() map[string]bool {
	labels := map[string]bool{}
	for _, texts := range c {
		for key, text := range texts {
			if strings.HasPrefix(key, "btn.") {
				labels[answerKey(text)] = true
			}
		}
	}
	return labels
}
