package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// Every message touches its sender: a new person gets the language given,
// a known one keeps theirs, and a new name or a blocked bot is recorded.
func TestTouchingACitizenRecordsChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	first, err := s.TouchCitizen(ctx, "telegram", "31", "31", "Lê Thị C", "vi")
	if err != nil || first.ID == 0 || first.DisplayName != "Lê Thị C" {
		t.Fatalf("new citizen: %+v, %v", first, err)
	}
	again, err := s.TouchCitizen(ctx, "telegram", "31", "31", "Lê Thị C", "en")
	if err != nil || again.ID != first.ID || again.Language != "vi" {
		t.Fatalf("known citizen: %+v, %v", again, err)
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

// Two first messages of a new person can be handled at once (a private
// chat and a group): the one whose insert waits for the other's still
// returns the person.
func TestTouchingACitizenInsertedConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	other, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.ExecContext(ctx, `INSERT INTO citizens (channel, user_id, chat_id, display_name, language)
		VALUES ('telegram', '32', '32', 'Phạm Văn D', 'vi')`); err != nil {
		t.Fatal(err)
	}
	type result struct {
		c   storage.Citizen
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := s.TouchCitizen(ctx, "telegram", "32", "32", "Phạm Văn D", "vi")
		done <- result{c, err}
	}()
	// Wait until the touch waits for the other insert.
	deadline := time.Now().Add(30 * time.Second)
	for waiting := false; !waiting; {
		if time.Now().After(deadline) {
			t.Fatal("the touch never waited for the other insert")
		}
		if err := s.DB().QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO citizens%')`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.c.ID == 0 || r.c.DisplayName != "Phạm Văn D" {
		t.Fatalf("touching a citizen another message just inserted: %+v, %v", r.c, r.err)
	}
}
