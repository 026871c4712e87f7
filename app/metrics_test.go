package app_test

import (
	"bufio"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// get fetches a path of the service's HTTP listener.
func get(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// waitReady waits until the service's HTTP listener answers /readyz.
func waitReady(t *testing.T, addr string) {
	t.Helper()
	client := http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(wait); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := client.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the service never became ready")
		}
	}
}

// scrape reads /metrics into a map from series (name and labels, as
// written in the exposition) to value.
func scrape(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	code, body := get(t, addr, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", code, body)
	}
	series := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad exposition line %q", line)
		}
		series[line[:i]] = v
	}
	return series
}

// A petition moves the processor's and the sender's counters on /metrics;
// the database-backed gauges are cached between computations, and a fresh
// service reads the new ticket in its unit's open and overdue gauges.
func TestMetricsFollowAPetition(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	store := importSample(t, dsn)
	cfg := testConfig(api, dsn)
	cfg.ListenAddr = freeAddr(t)
	first := startService(t, cfg)
	waitReady(t, cfg.ListenAddr)

	const (
		ok       = `danvan_updates_processed_total{outcome="ok"}`
		failed   = `danvan_updates_processed_total{outcome="failed"}`
		handled  = `danvan_update_handler_seconds_count`
		sent     = `danvan_telegram_sent_total`
		open     = `danvan_tickets_open{unit="ubnd-hoa-cuong"}`
		overdue  = `danvan_tickets_overdue{unit="ubnd-hoa-cuong"}`
		outbox   = `danvan_outbox_pending_messages`
		oldest   = `danvan_outbox_oldest_pending_seconds`
		inbox    = `danvan_inbox_pending_updates`
		inboxAge = `danvan_inbox_oldest_pending_seconds`
		later    = `danvan_outbox_scheduled_messages`
	)
	before := scrape(t, cfg.ListenAddr)
	for _, name := range []string{ok, failed, handled, sent, open, overdue, outbox, oldest, inbox, inboxAge, later,
		`danvan_telegram_flood_control_total`, `danvan_telegram_send_failures_total`, `danvan_telegram_retries_total`,
		`danvan_metrics_refresh_failures_total`, `go_goroutines`, `process_cpu_seconds_total`,
		`go_sql_open_connections{db_name="danvan"}`, `go_sql_max_open_connections{db_name="danvan_deliveries"}`} {
		if _, found := before[name]; !found {
			t.Errorf("no %s in /metrics", name)
		}
	}
	if before[open] != 0 || before[overdue] != 0 {
		t.Fatalf("a fresh organisation has %v open, %v overdue", before[open], before[overdue])
	}

	c := newPerson(t, api, 7001, "Lan")
	code := c.fileInHoaCuong("Môi trường", "Rác thải đổ trộm ở kiệt 12 Núi Thành")
	after := scrape(t, cfg.ListenAddr)
	// /new, seven presses and two texts: ten updates.
	if n := after[ok] - before[ok]; n < 10 {
		t.Errorf("%s moved by %v for a petition", ok, n)
	}
	if after[handled] <= before[handled] || after[sent] <= before[sent] {
		t.Errorf("handled %v → %v, sent %v → %v", before[handled], after[handled], before[sent], after[sent])
	}
	if after[failed] != 0 {
		t.Errorf("%v updates failed", after[failed])
	}
	// Within the cache period the database is not asked again.
	if after[open] != 0 {
		t.Errorf("%s = %v within the cache period: the database was read again", open, after[open])
	}
	first.stop()

	if _, err := store.DB().Exec(`UPDATE tickets SET due_at = now() - interval '1 hour' WHERE code = $1`, code); err != nil {
		t.Fatal(err)
	}
	// A notice's message due tomorrow.
	if _, err := store.DB().Exec(`INSERT INTO outbox_scheduled (channel, chat_id, kind, payload, dedupe_key, due_at)
		VALUES ('telegram', '7001', 'text', '{"kind": "text", "text": "Thông báo"}', 'test', now() + interval '1 day')`); err != nil {
		t.Fatal(err)
	}
	startService(t, cfg)
	waitReady(t, cfg.ListenAddr)
	fresh := scrape(t, cfg.ListenAddr)
	if fresh[open] != 1 || fresh[overdue] != 1 || fresh[later] != 1 {
		t.Errorf("after the petition: %v open, %v overdue, %v scheduled; want 1, 1, 1", fresh[open], fresh[overdue], fresh[later])
	}
	if fresh[ok] != 0 {
		t.Errorf("a new process starts its counters at 0, not %v", fresh[ok])
	}
}

// On shutdown /readyz turns 503 first, while the process still serves
// (/healthz stays 200) and still takes updates for SHUTDOWN_DRAIN_DELAY.
func TestReadinessTurnsOffBeforeIntakeStops(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ListenAddr = freeAddr(t)
	cfg.ShutdownDrainDelay = 2 * time.Second
	s := startService(t, cfg)
	waitReady(t, cfg.ListenAddr)
	if code, body := get(t, cfg.ListenAddr, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz: %d %s", code, body)
	}

	stopped := make(chan struct{})
	go func() { s.stop(); close(stopped) }()
	for deadline := time.Now().Add(time.Second); ; time.Sleep(20 * time.Millisecond) {
		code, body := get(t, cfg.ListenAddr, "/readyz")
		if code == http.StatusServiceUnavailable && strings.Contains(body, "shutting down") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/readyz still %d %q after the shutdown began", code, body)
		}
	}
	if code, _ := get(t, cfg.ListenAddr, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz %d while draining", code)
	}
	// Intake goes on while the load balancer takes the replica out.
	c := newPerson(t, api, 7002, "Minh")
	c.says("/start", "Xin chào")
	<-stopped
}
