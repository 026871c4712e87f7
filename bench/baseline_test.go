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

// The issue asks for the insert baseline "with the same number of
// connections" as the bot; with -workers × -replicas (4) it ran fewer
// than the bot had busy at once (7). Under a closed-loop load of the real
// bot, the baseline takes the most connections the bench's sampling saw
// busy at once. How close that comes to the true peak depends on timing
// (bursts shorter than connSampleEvery can be missed; under the race
// detector they often are), so it is logged against a sampler four times
// as fast rather than asserted. TestSmokeRun checks that Run passes them on.
func TestBaselineRunsAsManyConnectionsAsTheBotKeptBusy(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	s := startLiveStage(t, ctx, 8)
	peak := &connPeak{}
	sampling, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		every(sampling, connSampleEvery/4, func() { peak.sample(sampling, s.db) })
	}()
	sampled := &connPeak{}
	go every(sampling, connSampleEvery, func() { sampled.sample(sampling, s.db) })
	s.load(ctx, 50, 8*time.Second)
	stop()
	<-done
	conns, from := baselineConns(&s.opts, sampled.busy.Load())
	t.Logf("the bot's connections: %d busy at once, %d open; the baseline runs %d (%s)", peak.busy.Load(), peak.open.Load(), conns, from)
	if seen := sampled.busy.Load(); seen < 2 || conns != int(seen) || from != "bot_connections_busy_max" {
		t.Errorf("the bench saw %d of the bot's connections busy at once; the baseline runs %d (%s)", seen, conns, from)
	}
}
