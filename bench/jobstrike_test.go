package bench

import (
	"database/sql"
	"io"
	"log/slog"
	"os/exec"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// The strike holds the first reminder queued after it is prepared, finds
// the connection held by its replica's application_name and kills that
// replica (here a stand-in process), and holds no later reminder.
func TestStrikeKillsTheReplicaHeldInTheJob(t *testing.T) {
	ctx, db := testDatabase(t)
	if err := storage.MigrateQuiet(ctx, db.db); err != nil {
		t.Fatal(err)
	}
	if _, err := prepareStrike(ctx, db); err != nil {
		t.Fatal(err)
	}
	f := newFleet("", nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	for i := range 3 {
		cmd := exec.Command("sleep", "60")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := &replica{index: i, cmd: cmd, done: make(chan struct{})}
		go func() { r.err = cmd.Wait(); close(r.done) }()
		f.replicas = append(f.replicas, r)
	}
	defer f.stopAll(time.Second)

	job, err := sql.Open("postgres", withParams(db.dsn, map[string]string{"application_name": replicaAppName(2)}))
	if err != nil {
		t.Fatal(err)
	}
	defer job.Close()
	queue := func(key string) (time.Duration, error) {
		begin := time.Now()
		_, err := job.ExecContext(ctx, `INSERT INTO outbox (channel, chat_id, kind, payload, dedupe_key)
			VALUES ('telegram', '1', 'text', '{}', $1)`, key)
		return time.Since(begin), err
	}
	held := make(chan time.Duration, 1)
	go func() {
		took, err := queue("remind:2026-12-07:1:1")
		if err != nil {
			t.Error(err)
		}
		held <- took
	}()
	i, err := strike(ctx, db, f)
	if err != nil || i != 2 {
		t.Fatalf("strike = %d, %v; want replica 2", i, err)
	}
	if f.replicas[2].alive() || !f.replicas[0].alive() || !f.replicas[1].alive() {
		t.Fatal("strike did not kill replica 2, and it alone")
	}
	if took := <-held; took < strikeHold {
		t.Fatalf("the first reminder was held %s, want %s", took, strikeHold)
	}
	if took, err := queue("remind:2026-12-07:2:1"); err != nil || took >= strikeHold {
		t.Fatalf("a later reminder was held %s (%v)", took, err)
	}
	removeStrike(ctx, db)
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM pg_trigger WHERE tgname = 'bench_strike'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("trigger left behind: %d %v", n, err)
	}
}
