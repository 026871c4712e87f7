package main

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"strings"
	"testing"
)

// The help each usage text advertises ("danvan admin help") succeeds, as
// "danvan help" does; what is unknown or missing fails.
func TestHelpSucceedsUnknownFails(t *testing.T) {
	ctx := context.Background()
	ok := func(err error) bool { return err == nil || errors.Is(err, flag.ErrHelp) }
	for _, args := range [][]string{
		{"help"}, {"-h"},
		{"admin", "help"}, {"admin", "-h"}, {"admin", "--help"},
		{"admin", "calendar", "help"}, {"admin", "calendar", "-h"}, {"admin", "consultation", "help"},
		{"ticket", "help"}, {"ticket", "-h"},
		{"admin", "import", "-h"}, {"ticket", "list", "-h"},
	} {
		if err := dispatch(ctx, args); !ok(err) {
			t.Errorf("danvan %q = %v, want success (exit 0)", args, err)
		}
	}
	for _, args := range [][]string{
		{"nonsense"}, {"admin"}, {"admin", "nonsense"}, {"admin", "calendar"}, {"admin", "calendar", "nonsense"},
		{"admin", "consultation"}, {"admin", "consultation", "nonsense"},
		{"ticket"}, {"ticket", "nonsense"}, {"admin", "import", "-nonsense", "x.yaml"},
	} {
		if err := dispatch(ctx, args); ok(err) {
			t.Errorf("danvan %q = %v, want an error (exit 1)", args, err)
		}
	}
}

// A file to be written into a directory that does not exist is refused
// before any database work (here none could be done: nothing listens).
func TestAMissingOutputDirectoryIsReportedFirst(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://danvan@127.0.0.1:1/danvan?sslmode=disable&connect_timeout=2")
	missing := filepath.Join(t.TempDir(), "missing")
	for _, args := range [][]string{
		{"export", "-o", filepath.Join(missing, "report.xlsx")},
		{"admin", "export", "-o", filepath.Join(missing, "org.yaml")},
		{"digest", "-unit", "ubnd-tp", "-preview", "-chart", filepath.Join(missing, "chart.png")},
	} {
		if err := dispatch(t.Context(), args); err == nil || !strings.Contains(err.Error(), "there is no directory "+missing) {
			t.Errorf("danvan %q = %v, want the missing directory named", args, err)
		}
	}
}
