package demo

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The page names each timeline event as the bot does: an event kind the
// bot's catalogue knows (a new one, such as a reclassification) must not
// show as its raw key in the sandbox's ticket view.
func TestPageNamesEveryTimelineEvent(t *testing.T) {
	read := func(path string) map[string]string {
		t.Helper()
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		return m
	}
	for _, lang := range []string{"vi", "en"} {
		bot, page := read("../handlers/locales/"+lang+".json"), read("web/i18n/"+lang+".json")
		for key := range bot {
			if strings.HasPrefix(key, "event.") && page[key] == "" {
				t.Errorf("web/i18n/%s.json has no %q", lang, key)
			}
		}
	}
}
