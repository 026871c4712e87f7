// Package config reads danvan's settings from environment variables. Every
// setting is declared once in options, with its default and description;
// secrets can also come from a file named by the same variable plus _FILE.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/handlers"
)

// Config is the service's configuration.
type Config struct {
	TelegramToken         string
	TelegramAPIURL        string
	TelegramBotUsername   string
	TelegramMode          string // "polling" or "webhook"
	TelegramWebhookURL    string
	TelegramWebhookSecret string
	ListenAddr            string
	DatabaseURL           string
	DataDir               string
	RunMigrations         bool
	LogLevel              string
	LogFormat             string
	Workers               int
	ChatBacklog           int // updates of one chat waiting before the next are shed; 0: no limit
	ChatRate              int // updates a minute one chat may send before the next are shed; 0: no limit
	ReminderCron          string
	DigestCron            string
	SecondEscalationDays  int
	RatingReminderDays    int
	AutoCloseDays         int
	ShutdownTimeout       time.Duration
	ShutdownDrainDelay    time.Duration
	SendRate              float64 // messages per second over all chats
	ChatSendRate          float64 // messages per second to one private chat
	PetitionKinds         []string

	given map[string]bool // the settings the environment set, not defaulted
}

type option struct {
	name, def, help string
	secret          bool
	set             func(c *Config, v string) error
}

var options = []option{
	{name: "TELEGRAM_BOT_TOKEN", secret: true, help: "Bot token from @BotFather; without it, run starts the sandbox, or refuses to start if DATABASE_URL, TELEGRAM_MODE or TELEGRAM_WEBHOOK_URL is set",
		set: func(c *Config, v string) error { c.TelegramToken = v; return nil }},
	{name: "TELEGRAM_API_URL", def: "https://api.telegram.org", help: "Bot API server: Telegram, a self-hosted telegram-bot-api, or a test server",
		set: func(c *Config, v string) error { c.TelegramAPIURL = strings.TrimRight(v, "/"); return validURL(v) }},
	{name: "TELEGRAM_BOT_USERNAME", help: "The bot's username, for the links printed by danvan admin invite (read from Telegram at run)",
		set: func(c *Config, v string) error { c.TelegramBotUsername = strings.TrimPrefix(v, "@"); return nil }},
	{name: "TELEGRAM_MODE", def: "polling", help: "How updates arrive: polling or webhook",
		set: func(c *Config, v string) error { c.TelegramMode = v; return oneOf(v, "polling", "webhook") }},
	{name: "TELEGRAM_WEBHOOK_URL", help: "Public HTTPS URL Telegram posts updates to (webhook mode), routed to LISTEN_ADDR/telegram/webhook",
		set: func(c *Config, v string) error { c.TelegramWebhookURL = v; return nil }},
	{name: "TELEGRAM_WEBHOOK_SECRET", secret: true, help: "Secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (webhook mode; 1-256 of A-Z a-z 0-9 _ -)",
		set: func(c *Config, v string) error {
			c.TelegramWebhookSecret = v
			if v == "" {
				return nil // required in webhook mode only: see ValidateRun
			}
			return telegram.CheckWebhookSecret(v)
		}},
	{name: "LISTEN_ADDR", def: "127.0.0.1:8080", help: "HTTP listener for the webhook, /healthz, /readyz and /metrics",
		set: func(c *Config, v string) error { c.ListenAddr = v; return hostPort(v) }},
	{name: "DATABASE_URL", secret: true, help: "PostgreSQL URL; unset: a private PostgreSQL in DANVAN_DATA_DIR",
		set: func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{name: "DANVAN_DATA_DIR", def: defaultDataDir(), help: "Data directory of the private PostgreSQL",
		set: func(c *Config, v string) error { c.DataDir = v; return nil }},
	{name: "RUN_MIGRATIONS", def: "true", help: "Apply database migrations at start; if false, refuse to start on an outdated schema",
		set: func(c *Config, v string) (err error) { c.RunMigrations, err = strconv.ParseBool(v); return err }},
	{name: "LOG_LEVEL", def: "info", help: "debug, info, warn or error",
		set: func(c *Config, v string) error { c.LogLevel = v; return oneOf(v, "debug", "info", "warn", "error") }},
	{name: "LOG_FORMAT", def: "text", help: "text or json",
		set: func(c *Config, v string) error { c.LogFormat = v; return oneOf(v, "text", "json") }},
	{name: "WORKERS", def: "4", help: "Updates handled at once (a chat's updates always stay in order)",
		set: func(c *Config, v string) (err error) { c.Workers, err = positive(v); return err }},
	{name: "CHAT_BACKLOG", def: "200", help: "Updates of one chat that may wait to be handled before the next are shed, with a notice to the chat (staff's chats and units' linked groups never are); 0: no limit",
		set: func(c *Config, v string) (err error) { c.ChatBacklog, err = nonNegative(v); return err }},
	{name: "CHAT_RATE", def: "120", help: "Updates a minute one chat may send, a minute's worth at once, before the next are shed with a notice to the chat (staff's chats and units' linked groups never are; each replica counts what it takes in); 0: no limit",
		set: func(c *Config, v string) (err error) { c.ChatRate, err = nonNegative(v); return err }},
	{name: "SEND_RATE", def: "30", help: "Messages per second the bot sends over all chats (kept 1.5% below; one replica sends at a time); raise it only for a Bot API server without Telegram's limits",
		set: func(c *Config, v string) (err error) { c.SendRate, err = positiveFloat(v); return err }},
	{name: "CHAT_SEND_RATE", def: "1", help: "Messages per second to one private chat (short bursts of 3 allowed); raise it only for a Bot API server without Telegram's limits",
		set: func(c *Config, v string) (err error) { c.ChatSendRate, err = positiveFloat(v); return err }},
	{name: "REMINDER_CRON", def: "0 7 * * *", help: "When units get their morning reminder (cron, Asia/Ho_Chi_Minh; skipped on days off)",
		set: func(c *Config, v string) error { c.ReminderCron = v; return validCron(v) }},
	{name: "DIGEST_CRON", def: "30 7 * * MON", help: "When leaders get the weekly digest (cron, Asia/Ho_Chi_Minh)",
		set: func(c *Config, v string) error { c.DigestCron = v; return validCron(v) }},
	{name: "ESCALATION_SECOND_WORKDAYS", def: "3", help: "Working days after the first escalation before a still overdue ticket goes one level higher",
		set: func(c *Config, v string) (err error) { c.SecondEscalationDays, err = positive(v); return err }},
	{name: "RATING_REMINDER_DAYS", def: "3", help: "Days after an answer before a citizen who has not rated is reminded (once)",
		set: func(c *Config, v string) (err error) { c.RatingReminderDays, err = positive(v); return err }},
	{name: "AUTO_CLOSE_DAYS", def: "4", help: "Days after that reminder before an unrated ticket is closed",
		set: func(c *Config, v string) (err error) { c.AutoCloseDays, err = positive(v); return err }},
	{name: "PETITION_KINDS", def: "phan_anh,kien_nghi,gop_y,hoi_dap,khieu_nai,to_cao", help: "Kinds citizens may pick, comma-separated; leave out khieu_nai and to_cao where the channel takes no complaints or denunciations",
		set: func(c *Config, v string) error {
			c.PetitionKinds = strings.Split(strings.ReplaceAll(v, " ", ""), ",")
			return handlers.CheckCitizenKinds(c.PetitionKinds)
		}},
	{name: "SHUTDOWN_TIMEOUT", def: "15s", help: "How long a shutdown may take to drain work; a delivery in flight then is still finished and recorded, so that it is not sent twice, which can take up to 20 s more",
		set: func(c *Config, v string) (err error) { c.ShutdownTimeout, err = positiveDuration(v); return err }},
	{name: "SHUTDOWN_DRAIN_DELAY", def: "0s", help: "On shutdown, how long /readyz answers 503 while updates are still taken, before intake stops (a little over the load balancer's check interval)",
		set: func(c *Config, v string) (err error) { c.ShutdownDrainDelay, err = nonNegativeDuration(v); return err }},
}

// Load reads the configuration from the environment.
func Load() (*Config, error) { return load(os.Getenv) }

func load(getenv func(string) string) (*Config, error) {
	c := &Config{given: map[string]bool{}}
	var errs []error
	for _, o := range options {
		v, err := lookup(getenv, o)
		c.given[o.name] = getenv(o.name) != "" || o.secret && getenv(o.name+"_FILE") != ""
		if err == nil {
			err = o.set(c, v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.name, err))
		}
	}
	return c, errors.Join(errs...)
}

// lookup reads NAME, or the file named by NAME_FILE for secrets.
func lookup(getenv func(string) string, o option) (string, error) {
	v := getenv(o.name)
	if file := getenv(o.name + "_FILE"); o.secret && file != "" {
		if v != "" {
			return "", errors.New("set either the variable or its _FILE, not both")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		v = strings.TrimSpace(string(b))
		if v == "" {
			// A broken secret mount, not "unset": an empty DATABASE_URL
			// would quietly run the private PostgreSQL instead.
			return "", fmt.Errorf("%s_FILE: %s is empty", o.name, file)
		}
	}
	if v == "" {
		v = o.def
	}
	return v, nil
}

// ValidateRun checks what the long-running service needs.
func (c *Config) ValidateRun() error {
	var errs []error
	if c.TelegramToken == "" {
		errs = append(errs, errors.New("TELEGRAM_BOT_TOKEN (or TELEGRAM_BOT_TOKEN_FILE) is required"))
	}
	if c.TelegramMode == "webhook" {
		if c.TelegramWebhookURL == "" {
			errs = append(errs, errors.New("TELEGRAM_WEBHOOK_URL is required in webhook mode"))
		}
		if c.TelegramWebhookSecret == "" {
			errs = append(errs, errors.New("TELEGRAM_WEBHOOK_SECRET is required in webhook mode"))
		}
	} else if c.TelegramWebhookURL != "" {
		// A replica polling deletes the webhook the others receive by:
		// most likely TELEGRAM_MODE was forgotten.
		errs = append(errs, errors.New("TELEGRAM_WEBHOOK_URL is set but TELEGRAM_MODE is polling: set TELEGRAM_MODE=webhook, or unset TELEGRAM_WEBHOOK_URL"))
	}
	return errors.Join(errs...)
}

// ServiceSettings names the settings given that only the real service
// uses. `danvan run` without a token starts the sandbox only when there
// are none: a production host missing its token must not run the demo.
func (c *Config) ServiceSettings() []string {
	var set []string
	for _, name := range []string{"DATABASE_URL", "TELEGRAM_MODE", "TELEGRAM_WEBHOOK_URL"} {
		if c.given[name] {
			set = append(set, name)
		}
	}
	return set
}

// Describe lists every setting with its current value, secrets redacted.
func (c *Config) Describe() []Setting {
	values := map[string]string{}
	for _, o := range options {
		v, _ := lookup(os.Getenv, o)
		if o.secret && v != "" {
			v = "<redacted>"
		}
		values[o.name] = v
	}
	out := make([]Setting, len(options))
	for i, o := range options {
		out[i] = Setting{Name: o.name, Value: values[o.name], Default: o.def, Help: o.help, Secret: o.secret}
	}
	return out
}

// Setting is one documented configuration variable.
type Setting struct {
	Name, Value, Default, Help string
	Secret                     bool
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "danvan")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "danvan")
	}
	return "danvan-data"
}

func validURL(v string) error {
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("not an absolute URL: %q", v)
	}
	return nil
}

func oneOf(v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%q is not one of %s", v, strings.Join(allowed, ", "))
}

func positive(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n <= 0 {
		err = fmt.Errorf("%d is not positive", n)
	}
	return n, err
}

func nonNegative(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err == nil && n < 0 {
		err = fmt.Errorf("%d is negative", n)
	}
	return n, err
}

func positiveFloat(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err == nil && !(f > 0 && f <= 1e6) {
		err = fmt.Errorf("%s is not a positive rate", v)
	}
	return f, err
}

func positiveDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d <= 0 {
		err = fmt.Errorf("%s is not positive", v)
	}
	return d, err
}

// hostPort checks a listen address such as "127.0.0.1:8080" or ":8080",
// and that its port is one net.Listen takes (a number up to 65535, or a
// service name this machine knows).
func hostPort(v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil || port == "" {
		return fmt.Errorf("%q is not HOST:PORT", v)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("%q: %w", v, err)
	}
	return nil
}

// validCron checks a schedule as the job runner will parse it (five
// fields or a descriptor, optionally after CRON_TZ=), so that a typo stops
// the start, and danvan config, with the variable's name. robfig/cron
// v3.0.1 panics on some malformed specs; that is an error here too.
func validCron(spec string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("invalid schedule %q", spec)
		}
	}()
	if _, err := cron.ParseStandard(spec); err != nil {
		return fmt.Errorf("invalid schedule %q: %w", spec, err)
	}
	return nil
}

func nonNegativeDuration(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = fmt.Errorf("%s is negative", v)
	}
	return d, err
}
