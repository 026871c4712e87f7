package storage_test

import (
	"testing"
	"time"
)

// Delivered messages about a ticket still open and never a denunciation
// outlive the retention (sealing may need them); those about a closed
// ticket, or one already a denunciation, and those about none, do not.
func TestPurgeOutboxKeepsWhatSealingAnOpenTicketNeeds(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	if _, err := s.DB().ExecContext(ctx, `
		INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', 'c', 'c');
		INSERT INTO tickets (code, kind, status, citizen_id, description)
		SELECT code, kind, status, (SELECT id FROM citizens), 'Nội dung'
		FROM (VALUES ('PA-2026-000001', 'phan_anh', 'in_progress'), ('PA-2026-000002', 'phan_anh', 'completed'),
		             ('PA-2026-000003', 'to_cao', 'received')) AS v(code, kind, status);
		INSERT INTO outbox (channel, chat_id, kind, payload, status, sent_at, sent_message_id)
		SELECT 'telegram', 'ward', 'text', p::jsonb, 'sent', now() - interval '40 days', '1'
		FROM (VALUES
			('{"kind": "text", "text": "<b>PA-2026-000001</b> · open card"}'),
			('{"kind": "text", "text": "second part", "buttons": [[{"text": "Nhận", "data": "o:accept:' ||
				(SELECT id FROM tickets WHERE code = 'PA-2026-000001') || '"}]]}'),
			('{"kind": "text", "text": "<b>PA-2026-000002</b> · closed card"}'),
			('{"kind": "text", "text": "<b>PA-2026-000003</b> · sealed already"}'),
			('{"kind": "text", "text": "<b>PA-2026-0000011</b> · not a code"}'),
			('{"kind": "text", "text": "a reply"}')) AS v(p)`); err != nil {
		t.Fatal(err)
	}
	n, err := s.PurgeOutbox(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil || n != 4 {
		t.Fatalf("purged %d (%v), want 4", n, err)
	}
	var kept []string
	rows, err := s.DB().QueryContext(ctx, `SELECT payload->>'text' FROM outbox ORDER BY id`)
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
	if len(kept) != 2 || kept[0] != "<b>PA-2026-000001</b> · open card" || kept[1] != "second part" {
		t.Errorf("kept %q, want the open ticket's card, both parts", kept)
	}
}

// Delivered messages are kept past the 30 days only when they are about a
// ticket still open (runbook: outbox): by a card's or a list's button for
// it, not by any button ending in a number. A reception booking's card,
// with the person's name and subject and the buttons "t:m:<booking id>",
// does not outlive its retention because an unrelated ticket with that id
// is open.
func TestPurgeOutboxKeepsOnlyMessagesAboutAnOpenTicket(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	if _, err := s.DB().ExecContext(ctx, `
		INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', 'c', 'c');
		INSERT INTO tickets (code, kind, status, citizen_id, description)
		VALUES ('PA-2026-000001', 'phan_anh', 'in_progress', (SELECT id FROM citizens), 'Nội dung');
		INSERT INTO outbox (channel, chat_id, kind, payload, status, sent_at, sent_message_id)
		SELECT 'telegram', 'ward', 'text', p::jsonb, 'sent', now() - interval '40 days', '1'
		FROM (VALUES
			('{"kind": "text", "text": "<b>Lịch tiếp #' || (SELECT id FROM tickets) || '</b>\nNgười đăng ký: Nguyễn Văn An\nTranh chấp đất với hộ liền kề",
			   "buttons": [[{"text": "✅ Đã tiếp", "data": "t:m:' || (SELECT id FROM tickets) || '"}]]}')) AS v(p)`); err != nil {
		t.Fatal(err)
	}
	n, err := s.PurgeOutbox(ctx, time.Now().Add(-30*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want the booking card sent 40 days ago", n, err)
	}
}

// A duplicate merged into a ticket still open keeps its cards past the
// retention, as that ticket does: should it be found to be a
// denunciation, the duplicate is sealed with it. Merged into one closed
// since, it does not.
func TestPurgeOutboxKeepsTheCardsOfADuplicateMergedIntoAnOpenTicket(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	if _, err := s.DB().ExecContext(ctx, `
		INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', 'c', 'c');
		INSERT INTO tickets (code, kind, status, citizen_id, description)
		SELECT code, 'phan_anh', status, (SELECT id FROM citizens), 'Nội dung'
		FROM (VALUES ('PA-2026-000001', 'in_progress'), ('PA-2026-000002', 'merged'),
		             ('PA-2026-000003', 'completed'), ('PA-2026-000004', 'merged')) AS v(code, status);
		UPDATE tickets SET merged_into = (SELECT id FROM tickets WHERE code = 'PA-2026-000001') WHERE code = 'PA-2026-000002';
		UPDATE tickets SET merged_into = (SELECT id FROM tickets WHERE code = 'PA-2026-000003') WHERE code = 'PA-2026-000004';
		INSERT INTO outbox (channel, chat_id, kind, payload, status, sent_at, sent_message_id)
		SELECT 'telegram', 'ward', 'text', ('{"kind": "text", "text": "<b>' || code || '</b> · card"}')::jsonb,
			'sent', now() - interval '40 days', '1'
		FROM tickets WHERE code IN ('PA-2026-000002', 'PA-2026-000004')`); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PurgeOutbox(ctx, time.Now().Add(-30*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("purged %d (%v), want the card of the duplicate of a closed ticket", n, err)
	}
	var kept string
	if err := s.DB().QueryRowContext(ctx, `SELECT payload->>'text' FROM outbox`).Scan(&kept); err != nil || kept != "<b>PA-2026-000002</b> · card" {
		t.Fatalf("kept %q (%v), want the card of the duplicate of the open ticket", kept, err)
	}
}
