package demo

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage/storagetest"
)

// Ctrl+C while the sandbox is still starting stops it quietly: the service
// interrupted by the sandbox itself is no failure to report.
func TestStopWhileStarting(t *testing.T) {
	dsn := storagetest.NewDatabase(t)
	for _, after := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(after, cancel)
		err := Run(ctx, Options{Listen: "127.0.0.1:0", DatabaseURL: dsn, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		cancel()
		if err != nil {
			t.Errorf("stopped %v after the start: %v", after, err)
		}
	}
}
