package bench

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	tg "github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// A tiny benchmark end to end: the real binary, the fake Bot API, a
// durable private PostgreSQL; every petition filed is stored exactly once
// and every reply arrives.
func TestSmokeRun(t *testing.T) {
	opts := Flags(flag.NewFlagSet("test", flag.ContinueOnError))
	opts.Smoke = true
	opts.Duration = 3 * time.Second
	opts.StepTimeout = 20 * time.Second
	res := runLive(t, opts)
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
	// The baseline runs as many connections as the bot had busy at once.
	if res.BotConnectionsBusyMax <= 0 || res.BaselineConnections != int(res.BotConnectionsBusyMax) || res.BaselineConnectionsFrom != "bot_connections_busy_max" {
		t.Fatalf("baseline on %d connections (%s), the bot's busiest %d", res.BaselineConnections, res.BaselineConnectionsFrom, res.BotConnectionsBusyMax)
	}
}

// runLive runs the bench as the command does, with the bot's binary from
// DANVAN_BENCH_BINARY (default: built) and its log on stderr with -v.
func runLive(t *testing.T, opts *Options) Result {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the bot and starts PostgreSQL")
	}
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
	return res
}

// liveSetup is what a test of the bench against the real bot needs: a
// private PostgreSQL, migrated, with examples/org.yaml imported, the bot's
// binary (DANVAN_BENCH_BINARY, or one built) and the bot's environment.
func liveSetup(t *testing.T, ctx context.Context) (db *database, bin string, env []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the bot and starts PostgreSQL")
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if bin = os.Getenv("DANVAN_BENCH_BINARY"); bin == "" {
		if bin, err = BuildBinary(ctx, root, tmp); err != nil {
			t.Fatal(err)
		}
	}
	if db, err = openDatabase(ctx, "", logger); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.close)
	env = append(os.Environ(), "DATABASE_URL="+db.dsn, "DANVAN_DATA_DIR="+filepath.Join(tmp, "data"))
	setup := newFleet(bin, env, logger)
	if _, err := setup.run(ctx, "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.run(ctx, "admin", "import", filepath.Join(root, "examples", "org.yaml")); err != nil {
		t.Fatal(err)
	}
	return db, bin, env
}

// liveStage is the fake Bot API and the real bot (one polling replica,
// limits off) as startStage sets them up, with a tap on every bot
// activity, and its officers joined and working until the test ends.
type liveStage struct {
	db   *database
	api  *tg.Server
	r    *router
	m    *meter
	f    *fleet
	opts Options

	mu  sync.Mutex
	all []tg.Activity
}

func startLiveStage(t *testing.T, ctx context.Context, officers int) *liveStage {
	t.Helper()
	db, bin, env := liveSetup(t, ctx)
	opts := Flags(flag.NewFlagSet("live", flag.ContinueOnError))
	opts.Officers = officers
	if err := opts.Normalize(); err != nil {
		t.Fatal(err)
	}
	s := &liveStage{db: db, m: &meter{}, opts: *opts}
	s.r = &router{m: s.m}
	first, err := db.nextUpdateID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.api, err = tg.Listen("127.0.0.1:0", tg.Config{FirstUpdateID: first, RequireKnownChat: true, OnBotActivity: func(a tg.Activity) {
		s.mu.Lock()
		s.all = append(s.all, a)
		s.mu.Unlock()
		s.r.hook(a)
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.api.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.f = newFleet(bin, append(env, botEnv(&s.opts, s.api)...), logger)
	t.Cleanup(func() { s.f.stopAll(10 * time.Second) })
	if _, err := s.f.start(ctx, 0); err != nil {
		t.Fatal(err)
	}
	team, err := joinOfficers(ctx, s.api, s.r, s.m, db, &s.opts, func(err error) { t.Log("officer:", err) })
	if err != nil {
		t.Fatal(err)
	}
	octx, stopOfficers := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, o := range team {
		wg.Go(func() { o.run(octx) })
	}
	t.Cleanup(func() { stopOfficers(); wg.Wait() })
	return s
}

// load runs closed-loop citizens for d.
func (s *liveStage) load(ctx context.Context, citizens int, d time.Duration) {
	opts := s.opts
	opts.Citizens = citizens
	newLoad(s.api, s.r, s.m, &opts, slog.New(slog.NewTextHandler(io.Discard, nil))).run(ctx, d)
}
