package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// Erasing one person's data clears the kept messages about their
// petitions, not those about another's whose code merely begins the same.
func TestErasureLeavesMessagesAboutLongerCodesAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	person := func(id, code string) storage.Citizen {
		t.Helper()
		c, err := s.TouchCitizen(ctx, "telegram", id, id, "Người "+id, "vi")
		if err != nil {
			t.Fatal(err)
		}
		tk, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, Description: "x"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.DB().ExecContext(ctx, `UPDATE tickets SET code = $2 WHERE id = $1`, tk.ID, code); err != nil {
			t.Fatal(err)
		}
		return c
	}
	erased := person("41", "PA-2026-123456")
	person("42", "PA-2026-1234567")
	_, err := s.DB().ExecContext(ctx, `
		INSERT INTO outbox (channel, chat_id, is_group, kind, payload, status, sent_at) VALUES
			('telegram', '-100', true, 'text', '{"text": "Phản ánh PA-2026-123456 của Người 41"}', 'sent', now()),
			('telegram', '-100', true, 'text', '{"text": "Phản ánh PA-2026-1234567 của Người 42"}', 'sent', now())`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EraseCitizen(ctx, erased, now); err != nil {
		t.Fatal(err)
	}
	var kept []string
	rows, err := s.DB().QueryContext(ctx, `SELECT payload->>'text' FROM outbox WHERE payload <> '{}' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, text)
	}
	if len(kept) != 1 || kept[0] != "Phản ánh PA-2026-1234567 của Người 42" {
		t.Fatalf("messages kept after erasing Người 41: %q", kept)
	}
}
