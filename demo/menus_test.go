package demo

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage/storagetest"
)

// The ☰ command menus are still there when the sandbox starts again on its
// data: Telegram keeps them, and the bot does not set them again.
func TestMenusSurviveRestart(t *testing.T) {
	dsn, dir := storagetest.NewDatabase(t), t.TempDir()
	chats := []int64{firstCitizenID, officerID(sampleWard), cityLeaderID}
	run := func(second bool) {
		ctx, cancel := context.WithCancel(context.Background())
		ready, done := make(chan string, 1), make(chan error, 1)
		go func() {
			done <- Run(ctx, Options{Listen: "127.0.0.1:0", DataDir: dir, DatabaseURL: dsn,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: func(url string) { ready <- url }})
		}()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("the sandbox stopped with %v", err)
			}
		}()
		var s *sandbox
		select {
		case url := <-ready:
			s = &sandbox{t: t, base: url}
		case err := <-done:
			t.Fatalf("the sandbox did not start: %v", err)
		}
		for _, id := range chats {
			for deadline := time.Now().Add(10 * time.Second); ; {
				var v chatView
				if code := s.do(http.MethodGet, fmt.Sprintf("/api/chats/%d", id), "", nil, &v); code != http.StatusOK {
					t.Fatalf("chat %d: status %d", id, code)
				}
				if len(v.Commands) > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("second start=%v: chat %d has no command menu", second, id)
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
	}
	run(false)
	run(true) // the second start, on the kept database and directory
}
