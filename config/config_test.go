package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramAPIURL != "https://api.telegram.org" || c.TelegramMode != "polling" || !c.RunMigrations || c.Workers != 4 || c.ChatBacklog != 200 || c.ChatRate != 120 {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if err := c.ValidateRun(); err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
		t.Fatalf("ValidateRun without a token = %v", err)
	}
}

func TestSecretFromFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte("123:abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := load(env(map[string]string{"TELEGRAM_BOT_TOKEN_FILE": file}))
	if err != nil {
		t.Fatal(err)
	}
	if c.TelegramToken != "123:abc" {
		t.Fatalf("token = %q", c.TelegramToken)
	}
	_, err = load(env(map[string]string{"TELEGRAM_BOT_TOKEN_FILE": file, "TELEGRAM_BOT_TOKEN": "x"}))
	if err == nil {
		t.Fatal("both the variable and its _FILE must be refused")
	}
}

func TestInvalidValuesAreAllReported(t *testing.T) {
	_, err := load(env(map[string]string{"TELEGRAM_MODE": "carrier-pigeon", "WORKERS": "0", "TELEGRAM_API_URL": "nope", "CHAT_BACKLOG": "-1", "CHAT_RATE": "-5"}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"TELEGRAM_MODE", "WORKERS", "TELEGRAM_API_URL", "CHAT_BACKLOG", "CHAT_RATE"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestWebhookNeedsSecret(t *testing.T) {
	c, err := load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "webhook", "TELEGRAM_WEBHOOK_URL": "https://x.example/telegram/webhook"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ValidateRun(); err == nil || !strings.Contains(err.Error(), "TELEGRAM_WEBHOOK_SECRET") {
		t.Fatalf("ValidateRun = %v", err)
	}
}

// A webhook URL without webhook mode is refused: a replica polling
// deletes the webhook the others receive by.
func TestWebhookURLNeedsWebhookMode(t *testing.T) {
	c, err := load(env(map[string]string{"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_WEBHOOK_URL": "https://x.example/telegram/webhook"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ValidateRun(); err == nil || !strings.Contains(err.Error(), "TELEGRAM_MODE=webhook") {
		t.Fatalf("ValidateRun = %v", err)
	}
}

func TestSendRateAndDrainDelay(t *testing.T) {
	c, err := load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.SendRate != 30 || c.ChatSendRate != 1 || c.ShutdownDrainDelay != 0 {
		t.Fatalf("defaults: SEND_RATE %v, SHUTDOWN_DRAIN_DELAY %v", c.SendRate, c.ShutdownDrainDelay)
	}
	c, err = load(env(map[string]string{"SEND_RATE": "7.5", "CHAT_SEND_RATE": "100", "SHUTDOWN_DRAIN_DELAY": "10s"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.SendRate != 7.5 || c.ChatSendRate != 100 || c.ShutdownDrainDelay != 10*time.Second {
		t.Fatalf("SEND_RATE %v, SHUTDOWN_DRAIN_DELAY %v", c.SendRate, c.ShutdownDrainDelay)
	}
	for _, bad := range []map[string]string{
		{"SEND_RATE": "0"}, {"SEND_RATE": "-3"}, {"CHAT_SEND_RATE": "0"}, {"SEND_RATE": "NaN"}, {"SEND_RATE": "fast"},
		{"SHUTDOWN_DRAIN_DELAY": "-1s"}, {"SHUTDOWN_DRAIN_DELAY": "5"},
	} {
		if _, err := load(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

// A _FILE that names an empty file is a broken secret mount, not "unset":
// an empty DATABASE_URL would silently run the private PostgreSQL, an
// empty token the sandbox.
func TestEmptySecretFileIsRefused(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"DATABASE_URL", "TELEGRAM_BOT_TOKEN"} {
		_, err := load(env(map[string]string{name + "_FILE": empty}))
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "empty") {
			t.Errorf("%s_FILE naming an empty file: err = %v", name, err)
		}
	}
}

func TestInvalidValuesAreRefusedAtLoad(t *testing.T) {
	for _, bad := range []map[string]string{
		{"SHUTDOWN_TIMEOUT": "0s"},
		{"SHUTDOWN_TIMEOUT": "-5s"},
		{"REMINDER_CRON": "every morning"},
		{"REMINDER_CRON": "0 7 * *"},
		{"DIGEST_CRON": "CRON_TZ=Asia/Ho_Chi_Minh"}, // panics inside robfig/cron v3.0.1
		{"DIGEST_CRON": "30 7 * * MONDAY"},
		{"LISTEN_ADDR": "8080"},
		{"PETITION_KINDS": "phan_anh,khieu_nai,phan_anh"},
		{"PETITION_KINDS": "khieu_nai,to_cao"},
		{"PETITION_KINDS": "phan_anh,petition"},
	} {
		_, err := load(env(bad))
		if err == nil {
			t.Errorf("%v accepted", bad)
			continue
		}
		for name := range bad {
			if !strings.Contains(err.Error(), name) {
				t.Errorf("%v: the error does not name %s: %v", bad, name, err)
			}
		}
	}
	c, err := load(env(map[string]string{"REMINDER_CRON": "CRON_TZ=Asia/Ho_Chi_Minh 0 8 * * MON-FRI", "DIGEST_CRON": "@weekly",
		"SHUTDOWN_TIMEOUT": "1m", "LISTEN_ADDR": ":8080"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.ShutdownTimeout != time.Minute || c.ListenAddr != ":8080" || c.DigestCron != "@weekly" {
		t.Errorf("valid values: %+v", c)
	}
}

// All kinds are offered by default; a deployment can leave some out.
func TestPetitionKinds(t *testing.T) {
	c, err := load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"phan_anh", "kien_nghi", "gop_y", "hoi_dap", "khieu_nai", "to_cao"}; !slices.Equal(c.PetitionKinds, want) {
		t.Fatalf("default PETITION_KINDS = %v", c.PetitionKinds)
	}
	c, err = load(env(map[string]string{"PETITION_KINDS": "phan_anh, kien_nghi,hoi_dap"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"phan_anh", "kien_nghi", "hoi_dap"}; !slices.Equal(c.PetitionKinds, want) {
		t.Fatalf("PETITION_KINDS = %v", c.PetitionKinds)
	}
}

// A webhook secret Telegram would refuse (base64 and openssl output have
// '=', '+' or '/') stops the start when the settings load, not after the
// service has connected and called Telegram.
func TestWebhookSecretIsCheckedAtLoad(t *testing.T) {
	for _, secret := range []string{"c2VjcmV0Cg==", "a+b/c", "has space", strings.Repeat("a", 257)} {
		_, err := load(env(map[string]string{
			"TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_MODE": "webhook",
			"TELEGRAM_WEBHOOK_URL": "https://x.example/telegram/webhook", "TELEGRAM_WEBHOOK_SECRET": secret,
		}))
		if err == nil || !strings.Contains(err.Error(), "TELEGRAM_WEBHOOK_SECRET") {
			t.Errorf("TELEGRAM_WEBHOOK_SECRET %q: err = %v", secret, err)
		}
	}
	if _, err := load(env(map[string]string{"TELEGRAM_WEBHOOK_SECRET": "Ab0_-" + strings.Repeat("z", 251)})); err != nil {
		t.Errorf("a valid secret of 256 characters: %v", err)
	}
}

// A port net.Listen would refuse stops the start when the settings load,
// not after the database work of the start.
func TestListenAddrPortIsCheckedAtLoad(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:99999", ":http-alt-typo", "127.0.0.1:-1"} {
		if _, err := load(env(map[string]string{"LISTEN_ADDR": addr})); err == nil || !strings.Contains(err.Error(), "LISTEN_ADDR") {
			t.Errorf("LISTEN_ADDR %q: err = %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", "[::1]:8443", ":http"} {
		if _, err := load(env(map[string]string{"LISTEN_ADDR": addr})); err != nil {
			t.Errorf("LISTEN_ADDR %q: %v", addr, err)
		}
	}
}

// ServiceSettings names what the environment set, a default value spelt
// out included, and a secret given through its _FILE.
func TestServiceSettingsAreTheOnesGiven(t *testing.T) {
	c, err := load(env(map[string]string{"LISTEN_ADDR": ":8080"}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ServiceSettings(); len(got) != 0 {
		t.Errorf("nothing of the service set: ServiceSettings = %v", got)
	}
	file := filepath.Join(t.TempDir(), "dsn")
	if err := os.WriteFile(file, []byte("postgres://db.example/danvan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = load(env(map[string]string{"DATABASE_URL_FILE": file, "TELEGRAM_MODE": "polling"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.ServiceSettings(), []string{"DATABASE_URL", "TELEGRAM_MODE"}; !slices.Equal(got, want) {
		t.Errorf("ServiceSettings = %v, want %v", got, want)
	}
}
