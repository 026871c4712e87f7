package storage_test

import (
	"testing"
	"time"
)

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
