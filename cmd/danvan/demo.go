package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/demo"
)

// rootDataDir is the sandbox's data directory when root runs it without
// DANVAN_DATA_DIR.
const rootDataDir = "/var/lib/danvan/demo"

// runDemo starts the sandbox: the real bot against a built-in Telegram
// Bot API, a sample organisation and a web page that plays every person.
func runDemo(ctx context.Context, args []string) error {
	began := time.Now()
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:8080", "address of the sandbox's web page")
	reset := fs.Bool("reset", false, "delete the sandbox's data first and start over")
	lang := fs.String("lang", "vi", "language of the page and of the sandbox's people: vi or en")
	verbose := fs.Bool("v", false, "log what the service does (info level)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: danvan demo [-listen ADDR] [-reset] [-lang vi|en] [-v]\n\n"+
			"Runs danvan in a sandbox: no Telegram token, database or network needed. The data\n"+
			"is kept in $DANVAN_DATA_DIR/demo (for root without DANVAN_DATA_DIR: "+rootDataDir+"),\n"+
			"apart from the service's own data.")
		fs.PrintDefaults()
	}
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *lang != "vi" && *lang != "en" {
		return fmt.Errorf("-lang: %q is not vi or en", *lang)
	}
	if host, _, err := net.SplitHostPort(*listen); err == nil && !net.ParseIP(host).IsLoopback() && host != "localhost" {
		fmt.Fprintf(os.Stderr, "danvan demo: warning: %s is reachable from other computers, and the sandbox has no login\n", *listen)
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if cfg.DatabaseURL != "" {
		// The sandbox imports a sample organisation and invents people:
		// never in a real database.
		fmt.Fprintln(os.Stderr, "danvan demo: DATABASE_URL is ignored; the sandbox keeps its own database")
	}
	level := slog.LevelWarn
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	dataDir := filepath.Join(cfg.DataDir, "demo")
	if os.Geteuid() == 0 && os.Getenv("DANVAN_DATA_DIR") == "" {
		// Under root the private PostgreSQL runs as the postgres user,
		// who cannot enter root's home: use the system's data directory.
		dataDir = rootDataDir
	}
	fmt.Fprintf(os.Stderr, "danvan demo: starting the sandbox (data in %s)…\n", dataDir)
	err = demo.Run(ctx, demo.Options{
		Listen: *listen, DataDir: dataDir, Reset: *reset, Lang: *lang, Logger: logger,
		Ready: func(url string) {
			fmt.Printf("\n  danvan SANDBOX · MÔI TRƯỜNG THỬ NGHIỆM\n  Open %s in a browser (ready in %.1f s). Ctrl+C stops it.\n\n",
				url, time.Since(began).Seconds())
		},
	})
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// runDemoInstead is what `danvan run` does without a bot token: it says so
// and starts the sandbox with its defaults.
func runDemoInstead(ctx context.Context) error {
	fmt.Fprintln(os.Stderr, "danvan: TELEGRAM_BOT_TOKEN is not set, so this starts the sandbox (danvan demo);\n"+
		"        set the token to run the real bot.")
	return runDemo(ctx, nil)
}
