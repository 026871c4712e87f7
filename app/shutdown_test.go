package app_test

import (
	"database/sql"
	"syscall"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// A database gone silent (a partition, a failover that moved the address:
// the service's server processes are stopped here) does not hold the
// shutdown for ever: past SHUTDOWN_TIMEOUT and the 20 s a delivery in
// flight may take, the service stops without the work in hand, which
// stays in the inbox and the outbox for the next start, and says so.
func TestShutdownIsBoundedWhenTheDatabaseGoesSilent(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ShutdownTimeout = 2 * time.Second
	svc := startService(t, cfg)
	c := newPerson(t, api, 5041, "Lan")
	c.says("/start", "Xin chào")

	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatal(err)
	}
	var stopped []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatalf("stopping the service's server process %d (the test needs the local cluster): %v", pid, err)
		}
		stopped = append(stopped, pid)
	}
	if err := rows.Err(); err != nil || len(stopped) == 0 {
		t.Fatalf("the service's server processes: %v, %v", stopped, err)
	}
	defer func() {
		for _, pid := range stopped {
			syscall.Kill(pid, syscall.SIGCONT)
		}
	}()
	// An update comes while the database is silent: recording it hangs.
	api.PushCommand(c.user, "/help")
	time.Sleep(500 * time.Millisecond)

	begin := time.Now()
	svc.cancel()
	svc.cancel = nil
	select {
	case err := <-svc.done:
		if err == nil {
			t.Error("the service stopped without saying it left work unfinished")
		}
		if took := time.Since(begin); took < cfg.ShutdownTimeout {
			t.Errorf("it stopped after %v, before SHUTDOWN_TIMEOUT", took)
		}
	case <-time.After(cfg.ShutdownTimeout + 40*time.Second):
		t.Fatal("the shutdown hung on the silent database")
	}
}
