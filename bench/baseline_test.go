package bench

import (
	"context"
	"io"
	"log/slog"
	"math"
	"testing"
	"time"
)

// testDatabase starts the bench's private PostgreSQL for a test, with a
// context that bounds the test.
func testDatabase(t *testing.T) (context.Context, *database) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts PostgreSQL")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	db, err := openDatabase(ctx, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.close)
	return ctx, db
}

// The baseline's rate is its inserts over its own duration: opening the
// connections before and cancelling the last inserts after are not part
// of it, and more connections than the bench's pool holds still run.
func TestBaselineRateIsOverItsDuration(t *testing.T) {
	ctx, db := testDatabase(t)
	const d = 400 * time.Millisecond
	tps, inserts, err := baselineInsertTPS(ctx, db, maxConns+6, d)
	if err != nil {
		t.Fatal(err)
	}
	if inserts == 0 || math.Abs(tps*d.Seconds()-float64(inserts)) > 0.5 {
		t.Fatalf("%d inserts in %v reported as %.1f/s", inserts, d, tps)
	}
}
