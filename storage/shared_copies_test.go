package storage_test

import (
	"context"
	"testing"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// seedSharedCopies gives person p one completed petition and person q
// `open` petitions still open; the ward's chat has `messages` delivered
// messages, each naming one of q's, every tenth naming p's too (a list
// quoting both), and p's own chat one naming both. It returns p's id and
// p's petition's.
func seedSharedCopies(tb testing.TB, ctx context.Context, s *storage.Store, open, messages int) (p, mine int64) {
	tb.Helper()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO citizens (channel, user_id, chat_id) VALUES ('telegram', 'p', 'p'), ('telegram', 'q', 'q')`, nil},
		{`INSERT INTO tickets (code, kind, status, citizen_id, description)
		SELECT 'PA-2026-' || lpad(g::text, 6, '0'), 'phan_anh', CASE WHEN g = 0 THEN 'completed' ELSE 'in_progress' END,
		       (SELECT id FROM citizens WHERE user_id = CASE WHEN g = 0 THEN 'p' ELSE 'q' END), 'Phản ánh số ' || g
		FROM generate_series(0, $1::int) g`, []any{open}},
		{`INSERT INTO outbox (channel, chat_id, kind, payload, status, sent_at, sent_message_id)
		SELECT 'telegram', CASE WHEN g = 0 THEN 'p' ELSE 'ward' END, 'text', jsonb_build_object('kind', 'text',
		       'text', '<b>PA-2026-' || lpad((g % $1::int + 1)::text, 6, '0') || '</b> · ' || repeat('chữ ', 50)
		               || CASE WHEN g % 10 = 0 THEN ' <b>PA-2026-000000</b> · Phản ánh số 0' ELSE '' END),
		       'sent', now(), g::text
		FROM generate_series(0, $2::int - 1) g`, []any{open, messages}},
		{`ANALYZE`, nil},
	} {
		if _, err := s.DB().ExecContext(ctx, q.sql, q.args...); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.DB().QueryRowContext(ctx, `SELECT citizen_id, id FROM tickets WHERE code = 'PA-2026-000000'`).Scan(&p, &mine); err != nil {
		tb.Fatal(err)
	}
	return p, mine
}

// The messages erasure keeps without the person's quotes, as sealing
// someone else's petition may need them (handlers/erasure_seal.go): those
// naming one of the person's petitions and someone else's still open,
// outside the person's own chat.
func TestSharedCopiesNameThePersonsAndOthersPetitions(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	p, mine := seedSharedCopies(t, ctx, s, 200, 1000)
	cs, err := s.SharedCopies(ctx, "telegram", p, "p")
	if err != nil || len(cs) != 99 { // every tenth but the one in p's own chat
		t.Fatalf("%d shared copies (%v), want 99", len(cs), err)
	}
	for _, c := range cs {
		if c.ChatID != "ward" || len(c.Mine) != 1 || c.Mine[0] != mine || len(c.Others) != 1 || len(c.OtherCodes) != 1 {
			t.Fatalf("shared copy %+v", c)
		}
	}
}

// BenchmarkSharedCopies reads 20,000 delivered messages against 20,000
// petitions still open, once per erasure.
func BenchmarkSharedCopies(b *testing.B) {
	s, err := storage.Open(b.Context(), storagetest.NewDatabase(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	p, _ := seedSharedCopies(b, b.Context(), s, 20_000, 20_000)
	b.ResetTimer()
	for range b.N {
		if cs, err := s.SharedCopies(b.Context(), "telegram", p, "p"); err != nil || len(cs) != 1999 {
			b.Fatalf("%d shared copies, %v", len(cs), err)
		}
	}
}

// The messages erasure keeps in the person's own chat (an officer's cards
// and lists of other people's petitions): those naming a petition of
// someone else's still open, with all of the person's they name.
func TestOwnChatCopiesNameOthersPetitions(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	p, mine := seedSharedCopies(t, ctx, s, 20, 100)
	cs, err := s.OwnChatCopies(ctx, "telegram", p, "p")
	if err != nil || len(cs) != 1 {
		t.Fatalf("%d own chat copies (%v), want 1", len(cs), err)
	}
	if c := cs[0]; c.ChatID != "p" || len(c.Mine) != 1 || c.Mine[0] != mine || len(c.Others) != 1 || len(c.OtherCodes) != 1 {
		t.Fatalf("own chat copy %+v", c)
	}
}
