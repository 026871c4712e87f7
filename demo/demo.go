// Package demo is the sandbox: the real danvan service connected to the
// in-repo fake Telegram Bot API, with a sample organisation, staff who
// have already joined, and a web page that plays every person — citizens,
// officers, leaders and a unit's group — so that anyone can see the whole
// loop in a browser without a bot token, a database or the internet.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/config"
)

// Options configure Run.
type Options struct {
	// Listen is the web page's address (default 127.0.0.1:8080).
	Listen string
	// DataDir is the sandbox's own directory: its private PostgreSQL and
	// its clock. Never the production data directory.
	DataDir string
	// DatabaseURL, when set, is used instead of the private PostgreSQL.
	DatabaseURL string
	// Reset deletes DataDir first, to start over.
	Reset bool
	// Lang is the page's default language and the people's Telegram
	// language: "vi" (default) or "en".
	Lang string
	// Logger receives the service's log; nil is slog.Default().
	Logger *slog.Logger
	// Ready is called with the page's URL once it can be used.
	Ready func(url string)
}

// Run runs the sandbox until ctx ends, then stops everything in order: the
// page, the service (which flushes its outbox to the fake), the fake.
func Run(ctx context.Context, opts Options) error {
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:8080"
	}
	if opts.Lang != "en" {
		opts.Lang = "vi"
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if opts.DataDir == "" && opts.DatabaseURL == "" {
		return errors.New("demo: a data directory or a database URL is needed")
	}
	// Listen first: a busy port, most often a sandbox already running,
	// should fail before anything starts, and before -reset deletes that
	// sandbox's database from under it.
	listener, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return err
	}
	defer listener.Close()
	clockFile := ""
	if opts.DataDir != "" {
		if opts.Reset {
			// Not from under another process using it: a sandbox on
			// another port, or an admin command.
			release, err := app.ClaimDataDir(opts.DataDir)
			if err != nil {
				return fmt.Errorf("demo -reset: %w", err)
			}
			err = os.RemoveAll(opts.DataDir)
			release()
			if err != nil {
				return err
			}
		}
		if err := makeDataDir(opts.DataDir); err != nil {
			return err
		}
		clockFile = filepath.Join(opts.DataDir, "clock.json")
	}
	sample, err := parseSample()
	if err != nil {
		return err
	}
	people, err := newCast(sample, opts.Lang)
	if err != nil {
		return err
	}
	clk, err := loadClock(clockFile)
	if err != nil {
		return fmt.Errorf("demo: reading the clock: %w", err)
	}

	api, err := telegramtest.Listen("127.0.0.1:0", telegramtest.Config{
		BotUsername: "danvan_sandbox_bot", BotFirstName: "danvan",
		// The bot keeps the update ids it handled in its database, and the
		// fake forgets everything when it stops: ids drawn from the clock
		// keep growing across restarts.
		FirstUpdateID:          int(time.Now().UnixMilli()),
		HTMLAllowBareAmpersand: true, // as Telegram does
	})
	if err != nil {
		return err
	}
	defer api.Close()
	if opts.DataDir != "" {
		// The fake starts with the menus kept at the last stop, and they
		// are kept again, with the ones set meanwhile, when the service
		// has stopped (deferred calls run last first). A file that could
		// not be read is left for the next start.
		if err := restoreMenus(ctx, opts.DataDir, api); err != nil {
			logger.Warn("sandbox: the command menus of the last run could not be restored", "err", err)
		} else {
			defer func() {
				if err := saveMenus(opts.DataDir, api); err != nil {
					logger.Warn("sandbox: could not keep the command menus", "err", err)
				}
			}()
		}
	}

	// The bot reaches the fake through the proxy that gives back the
	// photos kept from earlier runs.
	kept := keptFiles{dir: opts.DataDir, logger: logger}
	apiURL := api.URL
	if opts.DataDir != "" {
		pl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		proxy := kept.proxy(pl, api)
		go proxy.Serve(pl)
		defer proxy.Close() // after the service has stopped
		apiURL = "http://" + pl.Addr().String()
	}

	cfg, err := serviceConfig(api, apiURL, opts)
	if err != nil {
		return err
	}
	serviceCtx, stopService := context.WithCancel(context.WithoutCancel(ctx))
	defer stopService()
	started := make(chan app.Running, 1)
	serviceDone := make(chan error, 1)
	go func() {
		serviceDone <- app.Run(serviceCtx, cfg, app.Options{Logger: logger, Now: clk.Now,
			Started: func(r app.Running) { started <- r }})
	}()
	// stopAll stops the service and waits for it; the deferred Close then
	// stops the fake it was flushing to.
	stopAll := func() error { stopService(); return <-serviceDone }

	var running app.Running
	select {
	case running = <-started:
	case err := <-serviceDone:
		return err
	case <-ctx.Done():
		// Stopped while starting: the service fails because it was
		// interrupted (a cancelled connection or migration), which is
		// what was asked for, not a failure to report.
		if err := stopAll(); err != nil {
			logger.Debug("sandbox stopped while starting", "err", err)
		}
		return nil
	}
	if err := seed(ctx, running.Store, api, people, clk.Now, logger); err != nil {
		stopAll()
		if ctx.Err() != nil {
			return nil
		}
		return err
	}

	changes := newHub()
	watchCtx, stopWatching := context.WithCancel(ctx)
	defer stopWatching()
	for _, ch := range people.chats {
		go changes.watch(watchCtx, api, ch.ID)
	}
	page := &http.Server{
		Handler:           newServer(watchCtx, running, api, people, clk, changes, opts.Lang, kept, logger).routes(listener.Addr().String()),
		ReadHeaderTimeout: 10 * time.Second,
	}
	pageDone := make(chan error, 1)
	go func() { pageDone <- page.Serve(listener) }()
	if opts.Ready != nil {
		opts.Ready("http://" + listener.Addr().String())
	}

	var failure error
	select {
	case <-ctx.Done():
	case failure = <-serviceDone:
		serviceDone <- failure // stopAll reads it again
	case failure = <-pageDone:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stopWatching() // ends the long polls' waits
	page.Shutdown(shutdownCtx)
	if err := stopAll(); failure == nil {
		failure = err
	}
	if errors.Is(failure, http.ErrServerClosed) {
		failure = nil
	}
	return failure
}

// makeDataDir creates the sandbox's directory and the missing ones above
// it with mode 0755 whatever the umask: under root the private PostgreSQL
// runs as the postgres user, who must be able to enter them (root's umask
// is often 077 on hardened machines). Directories that already existed
// keep their mode, except the sandbox's own, which a run under such a
// umask may have created 0700 before.
func makeDataDir(dir string) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	var created []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) || d == filepath.Dir(d) {
			break
		}
		created = append(created, d)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if len(created) == 0 && os.Geteuid() == 0 {
		created = append(created, dir)
	}
	for _, d := range created {
		fi, err := os.Stat(d)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o055 != 0o055 {
			if err := os.Chmod(d, fi.Mode().Perm()|0o755); err != nil {
				return err
			}
		}
	}
	return nil
}

// serviceConfig is the real service's configuration, from the environment
// like `danvan run`, but pointed at the fake and the sandbox's database.
func serviceConfig(api *telegramtest.Server, apiURL string, opts Options) (*config.Config, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	cfg.TelegramToken = api.Token()
	cfg.TelegramAPIURL = apiURL
	cfg.TelegramBotUsername = api.Bot().Username
	cfg.TelegramMode = "polling"
	cfg.TelegramWebhookURL, cfg.TelegramWebhookSecret = "", ""
	cfg.ListenAddr = "127.0.0.1:0" // /healthz is not needed; the page has the port
	cfg.DatabaseURL = opts.DatabaseURL
	cfg.DataDir = opts.DataDir
	cfg.RunMigrations = true
	cfg.ShutdownTimeout = 10 * time.Second
	return cfg, nil
}
