package storage_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// seedNoticeUnit creates a ward serving its area, with a residential
// group below it and another ward beside it, and the ward's leader; it
// returns the unit's and the leader's ids.
func seedNoticeUnit(tb testing.TB, s *storage.Store) (unitID, officerID int64) {
	tb.Helper()
	err := s.DB().QueryRowContext(tb.Context(), `
		WITH city AS (INSERT INTO areas (code, name) VALUES ('city', 'Thành phố') RETURNING id),
		ward AS (INSERT INTO areas (code, name, parent_id) SELECT 'ward', 'Phường', id FROM city RETURNING id),
		grp AS (INSERT INTO areas (code, name, parent_id) SELECT 'group', 'Tổ 5', id FROM ward RETURNING id),
		other AS (INSERT INTO areas (code, name, parent_id) SELECT 'other', 'Phường khác', id FROM city RETURNING id),
		unit AS (INSERT INTO units (code, name) VALUES ('ubnd-ward', 'UBND phường') RETURNING id),
		served AS (INSERT INTO unit_areas (unit_id, area_id) SELECT unit.id, ward.id FROM unit, ward),
		leader AS (INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', 'L', 'L') RETURNING id),
		role AS (INSERT INTO officers (citizen_id, unit_id, role) SELECT leader.id, unit.id, 'leader' FROM leader, unit RETURNING id)
		SELECT unit.id, role.id FROM unit, role`).Scan(&unitID, &officerID)
	if err != nil {
		tb.Fatal(err)
	}
	return unitID, officerID
}

// follow creates a person (chat id chat) who follows areas by code.
func follow(tb testing.TB, s *storage.Store, chat, language string, areas ...string) {
	tb.Helper()
	_, err := s.DB().ExecContext(tb.Context(), `
		WITH person AS (INSERT INTO citizens (channel, user_id, chat_id, language) VALUES ('telegram', $1, $1, $2) RETURNING id)
		INSERT INTO area_followers (citizen_id, area_id, created_at)
		SELECT person.id, a.id, now() FROM person, areas a WHERE a.code = ANY($3)`, chat, language, areas)
	if err != nil {
		tb.Fatal(err)
	}
}

func noticeMessages() map[string]json.RawMessage {
	return map[string]json.RawMessage{
		"vi": json.RawMessage(`{"kind": "text", "text": "Thông báo"}`),
		"en": json.RawMessage(`{"kind": "text", "text": "Notice"}`),
	}
}

// A notice reaches, once each and in their language, the people who can
// be reached following the unit's area or one below it, paced.
func TestPublishAnnouncementReachesEachFollowerOnce(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	unitID, officerID := seedNoticeUnit(t, s)
	follow(t, s, "both", "vi", "ward", "group")
	follow(t, s, "below", "en", "group")
	follow(t, s, "elsewhere", "vi", "other")
	follow(t, s, "gone", "vi", "ward")
	follow(t, s, "other-tongue", "fr", "ward")
	if _, err := s.DB().ExecContext(ctx, `
		UPDATE citizens SET unreachable_at = now() WHERE chat_id = 'gone'`); err != nil {
		t.Fatal(err)
	}
	if _, n, err := s.UnitAudience(ctx, unitID); err != nil || n != 3 {
		t.Fatalf("UnitAudience = %d, %v; want 3", n, err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	id, recipients, err := s.PublishAnnouncement(ctx, storage.NewAnnouncement{UnitID: unitID, OfficerID: officerID,
		Text: "Lịch cắt nước", At: at}, storage.FollowerMessages{Messages: noticeMessages(), Fallback: "vi", After: time.Minute, PerSecond: 4})
	if err != nil || recipients != 3 {
		t.Fatalf("PublishAnnouncement = %d, %d, %v; want 3 recipients", id, recipients, err)
	}
	// The first is due a minute after the publication (this query comes
	// a moment after it, however loaded the machine), the next ones a
	// quarter of a second apart.
	var firstIn float64
	if err := s.DB().QueryRowContext(ctx, `SELECT extract(epoch FROM min(due_at) - now()) FROM outbox_scheduled`).Scan(&firstIn); err != nil {
		t.Fatal(err)
	}
	if firstIn > 60 || firstIn < 45 {
		t.Errorf("the first message is due in %.3f s, want a minute after the publication", firstIn)
	}
	type queued struct {
		ChatID, Text string
		Due          time.Duration // after the first
	}
	var got []queued
	rows, err := s.DB().QueryContext(ctx, `
		SELECT chat_id, payload->>'text', round(extract(epoch FROM due_at - min(due_at) OVER ()) * 4) / 4
		FROM outbox_scheduled WHERE payload->>'chat_id' = chat_id ORDER BY due_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var q queued
		var seconds float64
		if err := rows.Scan(&q.ChatID, &q.Text, &seconds); err != nil {
			t.Fatal(err)
		}
		q.Due = time.Duration(seconds * float64(time.Second))
		got = append(got, q)
	}
	want := []queued{{"both", "Thông báo", 0}, {"below", "Notice", 250 * time.Millisecond},
		{"other-tongue", "Thông báo", 500 * time.Millisecond}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queued (-want +got):\n%s", diff)
	}
	n, err := s.AnnouncementByID(ctx, id)
	if err != nil || n.Recipients != 3 || n.Text != "Lịch cắt nước" || n.UnitName != "UBND phường" {
		t.Errorf("AnnouncementByID = %+v, %v", n, err)
	}
}

// BenchmarkPublishAnnouncement measures a notice to 100,000 followers:
// recording it and queuing every message, in one transaction (rolled
// back, so that each iteration starts from the same tables).
func BenchmarkPublishAnnouncement(b *testing.B) {
	s, err := storage.Open(b.Context(), storagetest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	unitID, officerID := seedNoticeUnit(b, s)
	const followers = 100_000
	_, err = s.DB().ExecContext(b.Context(), `
		WITH people AS (
			INSERT INTO citizens (channel, user_id, chat_id) SELECT 'telegram', 'p' || g, 'p' || g FROM generate_series(1, $1) g
			RETURNING id)
		INSERT INTO area_followers (citizen_id, area_id, created_at)
		SELECT people.id, (SELECT id FROM areas WHERE code = 'group'), now() FROM people`, followers)
	if err == nil {
		_, err = s.DB().ExecContext(b.Context(), `ANALYZE`)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		var recipients int
		err := s.InTx(b.Context(), func(tx *storage.Store) error {
			var err error
			_, recipients, err = tx.PublishAnnouncement(context.Background(), storage.NewAnnouncement{UnitID: unitID,
				OfficerID: officerID, Text: "Lịch cắt nước", At: time.Now()},
				storage.FollowerMessages{Messages: noticeMessages(), Fallback: "vi", PerSecond: 20})
			if err == nil {
				err = errReleased
			}
			return err
		})
		if !errors.Is(err, errReleased) || recipients != followers {
			b.Fatalf("published to %d, %v", recipients, err)
		}
	}
}
