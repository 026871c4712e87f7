// Command danvan-bench measures the danvan bot end to end: it builds and
// runs the real binary against an in-process fake Telegram Bot API and a
// durable PostgreSQL, plays citizens and officers, optionally injects
// faults, and prints one JSON object with throughput, latency and what
// was lost or duplicated. See package bench.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/danvan-vn/danvan/bench"
)

func main() {
	fs := flag.NewFlagSet("danvan-bench", flag.ExitOnError)
	opts := bench.Flags(fs)
	fs.Parse(os.Args[1:])
	var logOut io.Writer = os.Stderr
	if opts.JSONOnly {
		logOut = io.Discard
	}
	logger := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := bench.Run(ctx, *opts, logger)
	if res.Mode != "" {
		if werr := res.Write(os.Stdout); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "danvan-bench:", err)
		os.Exit(1)
	}
	// CI fails on what was lost or duplicated; latency is informational.
	if why := res.Failure(); why != "" {
		fmt.Fprintln(os.Stderr, "danvan-bench: failed:", why)
		os.Exit(1)
	}
}
