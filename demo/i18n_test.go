package demo

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/storage"
)

func readStrings(t *testing.T, path string) map[string]string {
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

// The page names each timeline event and each ticket kind as the bot
// does: an event kind the bot's catalogue knows (a new one, such as a
// reclassification) or a kind of ticket (a reception's follow-up,
// storage.ReceptionKind) must not show as its raw key in the sandbox's
// ticket view.
func TestPageNamesEveryTimelineEventAndTicketKind(t *testing.T) {
	for _, lang := range []string{"vi", "en"} {
		bot, page := readStrings(t, "../handlers/locales/"+lang+".json"), readStrings(t, "web/i18n/"+lang+".json")
		keys := map[string]bool{"kind." + storage.ReceptionKind: true}
		for key := range bot {
			if strings.HasPrefix(key, "event.") || strings.HasPrefix(key, "kind.") {
				keys[key] = true
			}
		}
		for key := range keys {
			if page[key] == "" {
				t.Errorf("web/i18n/%s.json has no %q: the timeline shows the raw key", lang, key)
			}
		}
	}
}

// Both languages of the page have the same strings, and every error code
// the API gives has its message: the page shows it in its own language.
func TestPageStringsInBothLanguages(t *testing.T) {
	vi, en := readStrings(t, "web/i18n/vi.json"), readStrings(t, "web/i18n/en.json")
	for _, pair := range [][2]map[string]string{{vi, en}, {en, vi}} {
		for key := range pair[0] {
			if pair[1][key] == "" {
				t.Errorf("%q is in one language of the page only", key)
			}
		}
	}
	for _, code := range errorCodes {
		if vi["error."+code] == "" {
			t.Errorf("error code %q has no message in the page", code)
		}
	}
}
