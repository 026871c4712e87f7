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
	if err := s.EraseCitizen(ctx, erased, now, nil); err != nil {
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

// Erasing one's data stops following areas, and with it the notices of
// theirs still to come; another follower's stay scheduled.
func TestErasureCancelsTheNoticesStillToCome(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	unitID, officerID := seedNoticeUnit(t, s)
	follow(t, s, "leaving", "vi", "ward")
	follow(t, s, "staying", "vi", "ward")
	_, recipients, err := s.PublishAnnouncement(ctx, storage.NewAnnouncement{UnitID: unitID, OfficerID: officerID,
		Text: "Lịch tiêm chủng", At: time.Now()}, storage.FollowerMessages{Messages: noticeMessages(), Fallback: "vi",
		After: time.Hour, PerSecond: 1})
	if err != nil || recipients != 2 {
		t.Fatalf("PublishAnnouncement = %d, %v; want 2 recipients", recipients, err)
	}
	var id int64
	if err := s.DB().QueryRowContext(ctx, `SELECT id FROM citizens WHERE chat_id = 'leaving'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	leaving, err := s.CitizenByID(ctx, id)
	if err == nil {
		err = s.EraseCitizen(ctx, leaving, time.Now(), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	var left string
	if err := s.DB().QueryRowContext(ctx, `SELECT string_agg(chat_id, ',') FROM outbox_scheduled`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != "staying" {
		t.Errorf("scheduled after erasure: %q, want only the other follower's", left)
	}
}
