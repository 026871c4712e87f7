package main

import (
	"context"
	"strings"
	"testing"
)

// Arguments a command would otherwise ignore or take silently are errors:
// an invitation that is already expired, a status that no ticket can
// have, words after the flags.
func TestBadArgumentsAreRefused(t *testing.T) {
	newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "admin", "invite", "-unit", "tiep-nhan", "-role", "leader", "-ttl", "72h")
	if err != nil {
		t.Fatalf("a valid invite: %v", err)
	}
	// In Vietnam's time, as every time the tools print, whatever the host's.
	if !strings.Contains(out, "+07:00:") {
		t.Errorf("the invitation's expiry is not in Vietnam's time:\n%s", out)
	}
	for _, args := range [][]string{
		{"admin", "invite", "-unit", "tiep-nhan", "-ttl", "0s"},
		{"admin", "invite", "-unit", "tiep-nhan", "-ttl", "-1h"},
		{"admin", "invite", "-unit", "tiep-nhan", "leader"},
		{"admin", "officers", "tiep-nhan"},
		{"ticket", "list", "-status", "answred"},
		{"ticket", "list", "tiep-nhan"},
	} {
		if out, err := runCLI(t, args...); err == nil {
			t.Errorf("danvan %q succeeded:\n%s", args, out)
		}
	}
	if _, err := runCLI(t, "ticket", "list", "-status", "answered"); err != nil {
		t.Errorf("ticket list -status answered: %v", err)
	}
}

// The commands that take flags only refuse any other word, as the rest
// do: "calendar list 2027" would print the current year, "migrate now"
// migrate, "config DATABASE_URL" print everything.
func TestWordsAreRefusedByCommandsWithFlagsOnly(t *testing.T) {
	newDatabase(t)
	for _, args := range [][]string{
		{"admin", "calendar", "list", "2027"},
		{"admin", "calendar", "list", "2027", "-year", "2027"},
		{"migrate", "extra"},
		{"config", "extra"},
	} {
		out, err := runCLI(t, args...)
		if err == nil || !strings.Contains(err.Error(), `unexpected argument "2027"`) && !strings.Contains(err.Error(), `unexpected argument "extra"`) {
			t.Errorf("danvan %q = %v, want an error about the unexpected argument; printed:\n%.300s", args, err, out)
		}
	}
	// run and demo would start a service: an invalid setting would stop
	// them at config.Load, so this shows the word is refused first.
	t.Setenv("TELEGRAM_MODE", "carrier-pigeon")
	for _, args := range [][]string{{"run", "extra"}, {"demo", "extra"}} {
		if _, err := runCLI(t, args...); err == nil || !strings.Contains(err.Error(), `unexpected argument "extra"`) {
			t.Errorf("danvan %q = %v, want an error about the unexpected argument", args, err)
		}
	}
}

// Flags may follow the words a command takes ("admin import FILE
// -dry-run"), as they may precede them; "--" ends the flags.
func TestFlagsAfterWords(t *testing.T) {
	db := newDatabase(t)
	file := writeFile(t, "org.yaml", orgBefore)
	out, err := runCLI(t, "admin", "import", file, "-dry-run")
	if err != nil || !strings.Contains(out, "dry run") {
		t.Fatalf("admin import FILE -dry-run = %v, printed:\n%s", err, out)
	}
	var units int
	if err := db.QueryRow(`SELECT count(*) FROM units`).Scan(&units); err != nil || units != 0 {
		t.Fatalf("after a dry run: %d units (%v)", units, err)
	}
	if _, err := runCLI(t, "admin", "import", file); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "admin", "calendar", "add", "2027-01-09", "-work", "-reason", "Làm bù"); err != nil {
		t.Errorf("calendar add DATE -work: %v", err)
	}
	for _, args := range [][]string{
		{"admin", "import", file, "-nonsense"},
		{"admin", "import", "--", file, "-dry-run"}, // "-dry-run" is then a second file
		{"admin", "calendar", "list", "-year", "2027", "2027"},
	} {
		if out, err := runCLI(t, args...); err == nil {
			t.Errorf("danvan %q succeeded:\n%s", args, out)
		}
	}
}

// Without a token, `danvan run` starts the sandbox only when nothing of a
// real service is configured: a production host missing its token must
// fail, not run the demo.
func TestRunWithoutATokenRefusesAServiceConfiguration(t *testing.T) {
	t.Setenv("TELEGRAM_BOT_TOKEN", "")
	t.Setenv("TELEGRAM_BOT_TOKEN_FILE", "")
	t.Setenv("DANVAN_DATA_DIR", t.TempDir())
	// Cancelled: should the sandbox start after all, it stops at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, env := range []map[string]string{
		{}, // the first run of README's "Set up": the sandbox
		{"DATABASE_URL": "postgres://db.example/danvan"},
		{"TELEGRAM_MODE": "webhook"},
		{"TELEGRAM_MODE": "polling"},
		{"TELEGRAM_WEBHOOK_URL": "https://x.example/telegram/webhook"},
	} {
		for _, name := range []string{"DATABASE_URL", "TELEGRAM_MODE", "TELEGRAM_WEBHOOK_URL"} {
			t.Setenv(name, env[name])
		}
		err := dispatch(ctx, nil)
		if len(env) == 0 {
			if err != nil {
				t.Errorf("run with nothing configured: %v, want the sandbox", err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "TELEGRAM_BOT_TOKEN") {
			t.Errorf("run without a token, with %v: err = %v, want a refusal naming TELEGRAM_BOT_TOKEN", env, err)
		}
		for name := range env {
			if err != nil && !strings.Contains(err.Error(), name) {
				t.Errorf("the refusal does not name %s: %v", name, err)
			}
		}
	}
}
