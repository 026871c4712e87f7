package app_test

import (
	"database/sql"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/app"
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

// While a webhook replica drains (a delivery in flight holds it here), it
// stays alive to its orchestrator and its scrape, unready to its load
// balancer, and refuses new webhook deliveries, which Telegram retries.
func TestProbesAnswerWhileTheReplicaDrains(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ListenAddr = freeAddr(t)
	cfg.TelegramMode = "webhook"
	cfg.TelegramWebhookURL = "http://" + cfg.ListenAddr + app.WebhookPath
	cfg.TelegramWebhookSecret = "s3cret-Token_2"
	cfg.ShutdownTimeout = time.Second
	svc := startService(t, cfg)
	a := newPerson(t, api, 5042, "A")
	a.says("/start", "Xin chào")

	deliveryInFlight(t, api, dsn, a)
	stopped := make(chan struct{})
	go func() { svc.stop(); close(stopped) }()
	time.Sleep(cfg.ShutdownTimeout + 500*time.Millisecond) // past the drain's deadline: the delivery holds it
	select {
	case <-stopped:
		t.Fatal("the service stopped before the delivery in flight ended")
	default:
	}
	if code, _ := probe(cfg.ListenAddr, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while draining: %d, want 200", code)
	}
	if code, body := probe(cfg.ListenAddr, "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "shutting down") {
		t.Errorf("/readyz while draining: %d %q, want 503 shutting down", code, body)
	}
	if code, body := probe(cfg.ListenAddr, "/metrics"); code != http.StatusOK || !strings.Contains(body, "danvan_") {
		t.Errorf("/metrics while draining: %d, want 200 with danvan's metrics", code)
	}
	req, _ := http.NewRequest(http.MethodPost, cfg.TelegramWebhookURL, strings.NewReader(`{"update_id":990001,"message":{"message_id":1,"date":1,"chat":{"id":5042,"type":"private"},"from":{"id":5042,"is_bot":false,"first_name":"A"},"text":"/help"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", cfg.TelegramWebhookSecret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a webhook delivery while draining: %v, %v; want 503 (Telegram retries it)", resp, err)
	} else {
		resp.Body.Close()
	}
	<-stopped
	if n := count(t, dsn, `SELECT count(*) FROM inbox WHERE update_id = 990001`); n != 0 {
		t.Errorf("the delivery refused while draining was recorded %d times", n)
	}
}
