package digest_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/digest"
	"github.com/danvan-vn/danvan/digest/digesttest"
	"github.com/danvan-vn/danvan/storage"
)

// A leader who chose English gets the chart drawn in English (title,
// axes, legend, numbers), as the digest's text; the Vietnamese leader of
// the same unit gets the Vietnamese one.
func TestALeaderInEnglishGetsTheChartInEnglish(t *testing.T) {
	s := openStore(t)
	ctx := t.Context()
	ids, err := digesttest.Insert(ctx, s.DB(), digesttest.Fixture{
		Units: []digesttest.Unit{{Code: "tinh", Name: "UBND tỉnh"}},
		Leaders: []digesttest.Leader{
			{Unit: "tinh", ChatID: "901", Language: "vi"},
			{Unit: "tinh", ChatID: "902", Language: "en"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := digest.Compute(ctx, s, ids.Units["tinh"], weekStart)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx *storage.Store) error {
		_, err := digest.Queue(ctx, tx, d, "telegram")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	charts := map[string][]byte{}
	captions := map[string]string{}
	rows, err := s.DB().QueryContext(ctx, `SELECT chat_id, payload FROM outbox WHERE kind = 'document'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var chat string
		var payload []byte
		if err := rows.Scan(&chat, &payload); err != nil {
			t.Fatal(err)
		}
		var o bot.Outgoing
		if err := json.Unmarshal(payload, &o); err != nil {
			t.Fatal(err)
		}
		charts[chat], captions[chat] = o.Content, o.Text
	}
	if len(charts) != 2 {
		t.Fatalf("charts queued for %d leaders, want 2", len(charts))
	}
	if bytes.Equal(charts["901"], charts["902"]) {
		t.Errorf("the English-speaking leader's chart (caption %q) is the Vietnamese leader's chart, Vietnamese labels and all",
			captions["902"])
	}
}
