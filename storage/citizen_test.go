package storage_test

import (
	"context"
	"testing"
)

// Every message touches its sender: one already known as they are is read
// without writing a new row version; a change of name, chat or a blocked
// bot is written.
func TestTouchingACitizenWritesOnlyChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	version := func() (xmin string) {
		t.Helper()
		if err := s.DB().QueryRowContext(ctx, `SELECT xmin::text FROM citizens WHERE user_id = '31'`).Scan(&xmin); err != nil {
			t.Fatal(err)
		}
		return xmin
	}
	first, err := s.TouchCitizen(ctx, "telegram", "31", "31", "Lê Thị C", "vi")
	if err != nil || first.ID == 0 || first.DisplayName != "Lê Thị C" {
		t.Fatalf("new citizen: %+v, %v", first, err)
	}
	written := version()
	again, err := s.TouchCitizen(ctx, "telegram", "31", "31", "Lê Thị C", "en")
	if err != nil || again.ID != first.ID || again.Language != "vi" {
		t.Fatalf("known citizen: %+v, %v", again, err)
	}
	if version() != written {
		t.Error("touching an unchanged citizen rewrote the row")
	}
	renamed, err := s.TouchCitizen(ctx, "telegram", "31", "31", "Lê Thị Cúc", "vi")
	if err != nil || renamed.ID != first.ID || renamed.DisplayName != "Lê Thị Cúc" {
		t.Fatalf("renamed citizen: %+v, %v", renamed, err)
	}
	if err := s.MarkChatUnreachable(ctx, "telegram", "31"); err != nil {
		t.Fatal(err)
	}
	back, err := s.TouchCitizen(ctx, "telegram", "31", "31", "Lê Thị Cúc", "vi")
	if err != nil || back.UnreachableAt.Valid {
		t.Fatalf("a citizen who wrote again is still unreachable: %+v, %v", back, err)
	}
}
