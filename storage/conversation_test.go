package storage_test

import (
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// A flow found expired is forgotten once: by the worker that read it, if
// housekeeping's purge has not taken it meanwhile, and never after the
// purge took it or the person changed it since it was read.
func TestAnExpiredConversationIsForgottenOnce(t *testing.T) {
	t.Parallel()
	s := openOutboxStores(t, 1)[0]
	ctx := t.Context()
	long := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
	save := func(user string, at time.Time) storage.Conversation {
		t.Helper()
		c := storage.Conversation{Channel: "telegram", ChatID: user, UserID: user, Flow: "petition", Step: "area", UpdatedAt: at}
		if err := s.SaveConversation(ctx, c); err != nil {
			t.Fatal(err)
		}
		read, err := s.Conversation(ctx, "telegram", user, user)
		if err != nil {
			t.Fatal(err)
		}
		return read
	}
	forget := func(c storage.Conversation) bool {
		t.Helper()
		forgot, err := s.ForgetExpiredConversation(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return forgot
	}

	if c := save("a", long); !forget(c) || forget(c) {
		t.Error("an expired flow read by the worker: want it forgotten once")
	}
	purged := save("b", long)
	if gone, err := s.PurgeConversations(ctx, long.Add(time.Hour)); err != nil || len(gone) != 1 {
		t.Fatalf("purge: %v %v", gone, err)
	}
	if forget(purged) {
		t.Error("a flow the purge took was forgotten again")
	}
	stale := save("c", long)
	save("c", long.Add(time.Minute))
	if forget(stale) {
		t.Error("a flow changed since it was read was forgotten as expired")
	}
}
