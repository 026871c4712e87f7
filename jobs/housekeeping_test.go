package jobs_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/jobs"
	"github.com/danvan-vn/danvan/storage"
)

func TestHousekeepingForgetsAbandonedConversations(t *testing.T) {
	ctx := context.Background()
	store := openStore(t)
	now := time.Now()
	for chat, idle := range map[string]time.Duration{"abandoned": 4 * 24 * time.Hour, "recent": time.Hour} {
		err := store.SaveConversation(ctx, storage.Conversation{Channel: "telegram", ChatID: chat, UserID: chat,
			Flow: "petition", Step: "description", Data: []byte(`{"phone": "0905000000"}`), UpdatedAt: now.Add(-idle)})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := jobs.NewRunner(store, vietnam, slog.Default())
	if !r.RunSlot(ctx, jobs.Housekeeping(store), now) {
		t.Fatal("housekeeping did not run")
	}
	if _, err := store.Conversation(ctx, "telegram", "abandoned", "abandoned"); err == nil {
		t.Error("a draft abandoned four days ago is kept")
	}
	if _, err := store.Conversation(ctx, "telegram", "recent", "recent"); err != nil {
		t.Errorf("a draft of an hour ago: %v", err)
	}
}
