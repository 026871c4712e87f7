package storage_test

import (
	"testing"
)

func TestTouchCitizenWritesOnlyWhatChanged(t *testing.T) {
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	updatedAt := func(id int64) (at string) {
		t.Helper()
		if err := s.DB().QueryRowContext(ctx, `SELECT updated_at::text FROM citizens WHERE id = $1`, id).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}

	first, err := s.TouchCitizen(ctx, "telegram", "7", "7", "Lan", "vi")
	if err != nil || first.Language != "vi" || first.DisplayName != "Lan" {
		t.Fatalf("first touch = %+v, %v; want a new citizen Lan in vi", first, err)
	}
	if err := s.SetCitizenLanguage(ctx, first.ID, "en"); err != nil {
		t.Fatal(err)
	}
	before := updatedAt(first.ID)

	again, err := s.TouchCitizen(ctx, "telegram", "7", "7", "Lan", "vi")
	if err != nil || again.ID != first.ID || again.Language != "en" {
		t.Fatalf("touch again = %+v, %v; want the same citizen, language kept (en)", again, err)
	}
	if after := updatedAt(first.ID); after != before {
		t.Errorf("an unchanged touch rewrote the row (updated_at %s -> %s)", before, after)
	}

	renamed, err := s.TouchCitizen(ctx, "telegram", "7", "7", "Lan Nguyễn", "vi")
	if err != nil || renamed.ID != first.ID || renamed.DisplayName != "Lan Nguyễn" {
		t.Fatalf("touch with a new name = %+v, %v; want the name updated", renamed, err)
	}

	if err := s.MarkChatUnreachable(ctx, "telegram", "7"); err != nil {
		t.Fatal(err)
	}
	back, err := s.TouchCitizen(ctx, "telegram", "7", "7", "Lan Nguyễn", "vi")
	if err != nil || back.UnreachableAt.Valid {
		t.Errorf("touch after blocking = %+v, %v; want reachable again", back, err)
	}
}
