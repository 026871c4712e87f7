package main

import (
	"context"
	"errors"
	"flag"
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
