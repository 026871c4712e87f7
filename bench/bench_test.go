package bench

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"
)

// A tiny benchmark end to end: the real binary, the fake Bot API, a
// durable private PostgreSQL; every petition filed is stored exactly once
// and every reply arrives.
func TestSmokeRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the bot and starts PostgreSQL")
	}
	opts := Flags(flag.NewFlagSet("test", flag.ContinueOnError))
	opts.Smoke = true
	opts.Duration = 3 * time.Second
	opts.StepTimeout = 20 * time.Second
	opts.Binary = os.Getenv("DANVAN_BENCH_BINARY") // default: build ./cmd/danvan
	var logOut io.Writer = io.Discard
	if testing.Verbose() {
		logOut = os.Stderr
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := Run(ctx, *opts, slog.New(slog.NewTextHandler(logOut, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if res.LostMessages != 0 || res.DuplicateTickets != 0 || res.TicketsStored != res.TicketsExpected || res.TicketsExpected == 0 {
		t.Fatalf("lost %d, duplicates %d, stored %d of %d tickets", res.LostMessages, res.DuplicateTickets, res.TicketsStored, res.TicketsExpected)
	}
	if res.Updates == 0 || res.UpdatesPerS <= 0 || res.P99Ms <= 0 || res.BaselineInsertTPS <= 0 || res.RSSMB <= 0 {
		t.Fatalf("missing figures: %+v", res)
	}
	if c := res.CPU; c == nil || c.PostgresS == nil || *c.PostgresS <= 0 || c.BotS <= 0 || c.BenchS <= 0 || res.BaselineCPUMsPerInsert <= 0 {
		t.Fatalf("missing CPU figures: %+v, baseline %v ms an insert", c, res.BaselineCPUMsPerInsert)
	}
	// Durable commits flush the WAL; with group commit no more often than
	// they commit.
	if res.DBWALSyncsPerS <= 0 || res.BaselineWALSyncsPerS <= 0 || res.BaselineWALSyncsPerS > res.BaselineInsertTPS*1.01 {
		t.Fatalf("WAL flushes: %v/s in the run, %v/s in the baseline of %v inserts/s", res.DBWALSyncsPerS, res.BaselineWALSyncsPerS, res.BaselineInsertTPS)
	}
	// An update writes at least its inbox row; an insert at least its
	// heap tuple and index entry (well over 64 bytes of WAL records).
	if res.DBWALBytesPerUpdate < 64 || res.BaselineWALBytesPerInsert < 64 {
		t.Fatalf("WAL bytes: %v per update, %v per baseline insert", res.DBWALBytesPerUpdate, res.BaselineWALBytesPerInsert)
	}
}
