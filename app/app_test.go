package app_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/storage/localpg"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

func count(t *testing.T, dsn, query string, args ...any) int {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCitizenFilesAPetitionWithAPhotoAndALocation(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	startService(t, testConfig(api, dsn))
	c := newPerson(t, api, 5001, "Lan")

	c.says("/start", "Xin chào Ông/Bà")
	c.presses("Gửi phản ánh", "loại nội dung")
	c.presses("Phản ánh", "lĩnh vực")
	c.presses("Môi trường", "xảy ra ở đâu")
	at := api.Cursor()
	api.PushLocation(c.user, 16.03, 108.22)
	c.expect(at, "mô tả sự việc")
	c.says("Bãi rác tự phát cạnh chợ, bốc mùi nhiều ngày", "gửi ảnh")
	at = api.Cursor()
	api.PushPhoto(c.user, nil, "")
	c.expect(at, "Đã nhận 1/10 ảnh")
	c.presses("Tiếp tục", "số điện thoại")
	at = api.Cursor()
	api.PushContact(c.user, "+84905123456")
	c.expect(at, "giữ bí mật")
	c.presses("Không cần", "kiểm tra lại", "vị trí đã gửi", "Bãi rác tự phát")
	code := codeIn(t, c.presses("Gửi phản ánh", "đã được tiếp nhận").Text)
	c.says("/status "+code, code, "Đã tiếp nhận", "Quá trình xử lý")

	if n := count(t, dsn, `SELECT count(*) FROM tickets t JOIN ticket_attachments a ON a.ticket_id = t.id
		WHERE t.code = $1 AND t.latitude IS NOT NULL AND t.phone = '+84905123456'`, code); n != 1 {
		t.Fatal("ticket, photo or location not stored")
	}
	// Every button press was answered, so no client keeps spinning.
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for ctx.Err() == nil && len(api.CallbackAnswers()) < 6 {
		time.Sleep(50 * time.Millisecond)
	}
	if n := len(api.CallbackAnswers()); n != 6 {
		t.Fatalf("%d callback answers for 6 presses", n)
	}
}

func TestRestartInTheMiddleOfAPetitionLosesNothing(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	first := startService(t, cfg)
	c := newPerson(t, api, 5002, "Minh")
	c.says("/new", "loại nội dung")
	c.presses("Kiến nghị", "lĩnh vực")
	c.presses("Giao thông", "xảy ra ở đâu")
	first.stop()

	// While the bot is down the citizen keeps typing; nothing is lost.
	api.PushText(c.user, "Tổ 5 phường Hòa Cường")
	startService(t, cfg)
	c.expect(0, "mô tả sự việc")
	c.says("Đề nghị lắp đèn chiếu sáng cho kiệt 120 Núi Thành", "gửi ảnh")
	c.presses("Bỏ qua", "số điện thoại")
	c.says("Bỏ qua", "giữ bí mật")
	c.presses("Không cần", "Tổ 5 phường Hòa Cường")
	c.presses("Gửi phản ánh", "PA-")
	if n := count(t, dsn, `SELECT count(*) FROM tickets WHERE kind = 'kien_nghi' AND address = 'Tổ 5 phường Hòa Cường'`); n != 1 {
		t.Fatal("the petition was not completed after the restart")
	}
}

func TestARedeliveredUpdateIsHandledOnce(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	startService(t, testConfig(api, dsn))
	c := newPerson(t, api, 5003, "Hoa")
	// The first attempt to confirm the batch fails: Telegram delivers the
	// same update again, and the bot must not answer twice.
	api.InjectFault(telegramtest.Fault{Method: "getUpdates", Times: 1, Kind: telegramtest.FaultReset})
	c.says("/start", "Xin chào")
	time.Sleep(500 * time.Millisecond)
	if n := count(t, dsn, `SELECT count(*) FROM outbox WHERE chat_id = '5003' AND kind = 'text'`); n != 1 {
		t.Fatalf("%d greetings queued for one /start", n)
	}
}

func TestFloodControlIsHonoured(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{Flood: telegramtest.FloodConfig{Enabled: true}})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	startService(t, testConfig(api, dsn))
	// Three citizens each trigger a burst of replies to their chat.
	people := []*person{newPerson(t, api, 5011, "A"), newPerson(t, api, 5012, "B"), newPerson(t, api, 5013, "C")}
	at := api.Cursor()
	for _, p := range people {
		for range 4 {
			api.PushCommand(p.user, "/help")
		}
	}
	// A storm of 429s on top of the limits.
	api.InjectFault(telegramtest.Fault{Method: "sendMessage", Times: 3, Kind: telegramtest.FaultFlood, RetryAfter: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, p := range people {
		for ctx.Err() == nil && countAfter(api, at, p.user.ID, "Hướng dẫn") < 4 {
			time.Sleep(100 * time.Millisecond)
		}
		if n := countAfter(api, at, p.user.ID, "Hướng dẫn"); n != 4 {
			t.Fatalf("citizen %d got %d of 4 answers", p.user.ID, n)
		}
	}
	if early := api.EarlyRetries(); len(early) != 0 {
		t.Fatalf("the bot retried before retry_after %d times: %+v", len(early), early[0])
	}
}

func countAfter(api *telegramtest.Server, after telegramtest.Cursor, chat int64, sub string) int {
	n := 0
	for _, m := range api.Sent(chat) {
		if telegramtest.TextContains(sub)(m) {
			n++
		}
	}
	return n
}

func TestWebhookNeedsTheSecret(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ListenAddr = freeAddr(t)
	cfg.TelegramMode = "webhook"
	cfg.TelegramWebhookURL = "http://" + cfg.ListenAddr + "/telegram/webhook"
	cfg.TelegramWebhookSecret = "s3cret-Token_1"
	startService(t, cfg)
	c := newPerson(t, api, 5021, "Tuấn")
	// Wait until the webhook is registered.
	for deadline := time.Now().Add(wait); api.CallCount("setWebhook") == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the webhook was never registered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	c.says("/start", "Xin chào")

	// Deliveries without the secret, or with a wrong one, are refused and
	// leave nothing behind.
	for _, mode := range []telegramtest.SecretHeaderMode{telegramtest.SecretHeaderOmit, telegramtest.SecretHeaderWrong} {
		api.SetWebhookSecretHeader(mode)
		before := count(t, dsn, `SELECT count(*) FROM inbox`)
		api.PushCommand(c.user, "/help")
		time.Sleep(700 * time.Millisecond)
		if after := count(t, dsn, `SELECT count(*) FROM inbox`); after != before {
			t.Fatalf("secret mode %v: %d updates recorded", mode, after-before)
		}
	}
	// With the right secret the retried delivery goes through.
	api.SetWebhookSecretHeader(telegramtest.SecretHeaderCorrect)
	c.expect(0, "Hướng dẫn")
}

// A shutdown flushes what can go out, and no more: a chat that Telegram
// told to wait longer than the shutdown has left keeps its messages for
// the next start, instead of holding the shutdown for its whole timeout.
func TestShutdownDoesNotWaitForWhatCannotBeSent(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ShutdownTimeout = 8 * time.Second
	svc := startService(t, cfg)
	a, b := newPerson(t, api, 5031, "A"), newPerson(t, api, 5032, "B")
	a.says("/start", "Xin chào")

	api.InjectFault(telegramtest.Fault{Method: "sendMessage", ChatID: b.user.ID, Times: 1, Kind: telegramtest.FaultFlood, RetryAfter: 60})
	api.PushCommand(b.user, "/help")
	for deadline := time.Now().Add(wait); len(api.FloodViolations()) == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the reply was never refused")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := count(t, dsn, `SELECT count(*) FROM outbox WHERE status = 'pending'`); n == 0 {
		t.Fatal("no message waits for the chat")
	}
	// What can go out before the deadline still does: five answers to
	// one chat, paced at 1/s after a burst of 3, all queued (every update
	// handled) and some still waiting when the shutdown begins.
	at := api.Cursor()
	before := countAfter(api, at, a.user.ID, "Hướng dẫn")
	for range 5 {
		api.PushCommand(a.user, "/help")
	}
	paced := func() bool {
		return count(t, dsn, `SELECT count(*) FROM inbox WHERE processed_at IS NULL`) == 0 &&
			count(t, dsn, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND status = 'pending'`, "5031") >= 2
	}
	for deadline := time.Now().Add(wait); !paced(); {
		if time.Now().After(deadline) {
			t.Fatal("the answers were never paced")
		}
		time.Sleep(20 * time.Millisecond)
	}

	begin := time.Now()
	svc.stop()
	if took := time.Since(begin); took > 4*time.Second {
		t.Errorf("the shutdown took %v, waiting for a chat that may not be written to for a minute", took)
	}
	if n := countAfter(api, at, a.user.ID, "Hướng dẫn") - before; n != 5 {
		t.Errorf("%d of 5 answers went out before the shutdown ended", n)
	}
	if n := count(t, dsn, `SELECT count(*) FROM outbox WHERE status = 'pending'`); n != 1 {
		t.Errorf("%d messages kept for the next start, want the refused reply alone", n)
	}
}

// A delivery in flight when SHUTDOWN_TIMEOUT ends is finished and
// recorded, not cut short: a message sent but not recorded would be sent
// twice after the restart. The shutdown then takes longer than the
// timeout, by up to 20 s (README, Running at scale: Probes).
func TestShutdownFinishesAndRecordsTheDeliveryInFlight(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ShutdownTimeout = time.Second
	svc := startService(t, cfg)
	a := newPerson(t, api, 5091, "A")
	a.says("/start", "Xin chào")

	at := api.Cursor()
	deliveryInFlight(t, api, dsn, a)
	begin := time.Now()
	svc.stop()
	if took := time.Since(begin); took > cfg.ShutdownTimeout+20*time.Second {
		t.Errorf("SHUTDOWN_TIMEOUT is %v, the shutdown took %v", cfg.ShutdownTimeout, took.Round(100*time.Millisecond))
	}
	if n := countAfter(api, at, a.user.ID, "Hướng dẫn"); n != 1 {
		t.Errorf("the reply in flight was delivered %d times, want once", n)
	}
	if n := count(t, dsn, `SELECT count(*) FROM outbox WHERE chat_id = $1 AND status <> 'sent'`, "5091"); n != 0 {
		t.Errorf("%d messages not recorded as sent: the reply in flight would go out again at the next start", n)
	}
}

// The service and the one-shot commands share the private PostgreSQL, in
// either order (README: "in a second terminal, same directory"): whoever
// is done first leaves it running for the other, and the last one stops
// it. A command that started the server must not stop it under a service
// that started meanwhile, say restarted by systemd during a long export.
func TestThePrivateServerStopsWithItsLastUser(t *testing.T) {
	parent, err := os.MkdirTemp("", "danvan-shared-")
	if err != nil {
		t.Fatal(err)
	}
	// Reachable by the postgres user when the tests run as root.
	if err := os.Chmod(parent, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(parent) })
	cfg := &config.Config{DataDir: parent, RunMigrations: true}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	socket := filepath.Join(parent, "postgres", fmt.Sprintf(".s.PGSQL.%d", localpg.DefaultPort))
	running := func() bool { _, err := os.Stat(socket); return err == nil }

	for _, commandFirst := range []bool{true, false} {
		// The command finds no server running and starts it; the service
		// starts while it runs.
		_, closeCommand, err := app.OpenStore(ctx, cfg, logger)
		if errors.Is(err, localpg.ErrNoBinaries) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatal(err)
		}
		service, closeService, err := app.OpenStore(ctx, cfg, logger)
		if err != nil {
			closeCommand()
			t.Fatal(err)
		}
		first, last := closeCommand, closeService
		if !commandFirst {
			first, last = closeService, closeCommand
		}
		first()
		if commandFirst {
			var one int
			if err := service.DB().QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
				t.Errorf("the service lost its database when a command that shared it ended: %v", err)
			}
		} else if !running() {
			t.Error("the service stopped the private PostgreSQL under a command still using it")
		}
		last()
		if running() {
			t.Errorf("the private PostgreSQL still runs after its last user ended (command first: %t)", commandFirst)
		}
	}
}

// Telegram delivers what waits as soon as the webhook is set, and backs
// off after a failed delivery: the service listens before it registers
// the webhook, so the first deliveries after a start are not refused.
func TestWebhookListensBeforeItIsRegistered(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ListenAddr = freeAddr(t)
	cfg.TelegramMode = "webhook"
	cfg.TelegramWebhookURL = "http://" + cfg.ListenAddr + "/telegram/webhook"
	cfg.TelegramWebhookSecret = "s3cret-Token_2"
	c := newPerson(t, api, 5041, "Hà")
	at := api.Cursor()
	api.PushCommand(c.user, "/start") // waits for the webhook
	startService(t, cfg)
	c.expect(at, "Xin chào")
	for _, d := range api.WebhookDeliveries() {
		if d.Error != "" {
			t.Errorf("delivery %d of update %d failed: %s", d.Attempt, d.UpdateID, d.Error)
		}
	}
}

// Ctrl+C while the service is still connecting or migrating stops it
// quietly: a migration cut short is what was asked for, not a failure.
func TestStopWhileStartingIsNoFailure(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, after := range []time.Duration{0, 2 * time.Millisecond, 10 * time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(after, cancel)
		err := app.Run(ctx, testConfig(api, dsn), app.Options{Logger: quiet})
		cancel()
		if err != nil {
			t.Errorf("stopped %v after the start: %v", after, err)
		}
	}
}

// Ctrl+C while the webhook's registration waits out Telegram's flood
// control (replicas starting together) is a stop too, not a failure.
func TestStopWhileRegisteringTheWebhookIsNoFailure(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)
	cfg := testConfig(api, dsn)
	cfg.ListenAddr = freeAddr(t)
	cfg.TelegramMode = "webhook"
	cfg.TelegramWebhookURL = "http://" + cfg.ListenAddr + "/telegram/webhook"
	cfg.TelegramWebhookSecret = "s3cret-Token_3"
	api.InjectFault(telegramtest.Fault{Method: "setWebhook", Kind: telegramtest.FaultFlood, RetryAfter: 30})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for deadline := time.Now().Add(wait); api.CallCount("setWebhook") == 0 && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
	}()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := app.Run(ctx, cfg, app.Options{Logger: quiet}); err != nil {
		t.Errorf("stopped while registering the webhook: %v", err)
	}
}

// While the Bot API cannot be reached at start (getMe retried), the
// replica is alive and says it is starting: a liveness probe must not
// restart it for waiting on Telegram, nor a load balancer send it work,
// and a scrape does not count it as down.
func TestProbesAnswerWhileTheBotAPIIsUnreachableAtStart(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	cfg := testConfig(api, storagetest.NewDatabase(t))
	api.Close() // nothing answers at its address now
	cfg.ListenAddr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, cfg, app.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}()
	probe := func(path string) (int, string) { return probe(cfg.ListenAddr, path) }
	deadline := time.Now().Add(wait)
	for code, _ := probe("/healthz"); code != http.StatusOK; code, _ = probe("/healthz") {
		if time.Now().After(deadline) {
			t.Fatal("/healthz does not answer while the service waits for the Bot API")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code, body := probe("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "starting") {
		t.Errorf("/readyz while starting: %d %q, want 503 starting", code, body)
	}
	// A scrape while starting gets the process, not a failed target.
	if code, body := probe("/metrics"); code != http.StatusOK || !strings.Contains(body, "process_start_time_seconds") {
		t.Errorf("/metrics while starting: %d, want 200 with the process's metrics", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("stopped while waiting for the Bot API: %v", err)
		}
	case <-time.After(wait):
		t.Fatal("Run did not return after its context ended")
	}
	if code, _ := probe("/healthz"); code != 0 {
		t.Errorf("/healthz still answers %d after Run returned", code)
	}
}
