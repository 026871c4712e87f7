package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

func runAdmin(ctx context.Context, args []string) error {
	return runGroup(ctx, "admin", `Usage: danvan admin <command>

  import [-dry-run] FILE.yaml
                       create or update units, areas, categories and routing rules
  export [-o FILE]     write the current organisation as YAML
  invite -unit CODE -role officer|leader|admin [-ttl 72h]
                       print a one-time code and link that binds a Telegram account
  officers             list officers, leaders and administrators
  revoke ID            remove a role (the ID from "officers")
  identity-reads [-ticket CODE]
                       the log of looks at confidential senders' identities (law.md §5)
  calendar add|remove|list|hours
                       the working-day calendar's exceptions (swapped days, make-up days) and office hours
  consultation add|list|extend|close
                       drafts put out for residents' comments (law.md §7) and their synthesis
  notify (-all | -unit CODE | -ids FILE) [-since YYYY-MM-DD] -vi FILE [-en FILE] [-send]
                       tell many people at once, e.g. of a personal-data breach (law.md §6);
                       a dry run unless -send
  reception set|off|list|close
                       citizen reception hours (law.md §8) and days called off`, subcommands{
		"import":         runAdminImport,
		"export":         runAdminExport,
		"invite":         runAdminInvite,
		"officers":       runAdminOfficers,
		"revoke":         runAdminRevoke,
		"identity-reads": runAdminIdentityReads,
		"calendar":       runAdminCalendar,
		"consultation":   runAdminConsultation,
		"notify":         runAdminNotify,
		"reception":      runAdminReception,
	}, args)
}

// lookupFailed is the error of a lookup of what: "not found" said
// plainly, other failures wrapped.
func lookupFailed(what string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%s: not found", what)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// withStore loads the configuration, opens the database with an up-to-date
// schema, and runs fn.
func withStore(ctx context.Context, fn func(cfg *config.Config, store *storage.Store, logger *slog.Logger) error) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	logger := newLogger(cfg)
	store, closeStore, err := app.OpenStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer closeStore()
	return fn(cfg, store, logger)
}

// inviteAlphabet leaves out letters and digits people confuse (0/O, 1/I/L).
const inviteAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

func newInviteCode() string {
	// A random byte maps to a letter only below the largest multiple of
	// the alphabet's size: the rest would make some letters likelier.
	const unbiased = 256 / len(inviteAlphabet) * len(inviteAlphabet)
	code := make([]byte, 0, 8)
	var r [16]byte
	for len(code) < cap(code) {
		rand.Read(r[:])
		for _, x := range r {
			if int(x) < unbiased && len(code) < cap(code) {
				code = append(code, inviteAlphabet[int(x)%len(inviteAlphabet)])
			}
		}
	}
	return string(code[:4]) + "-" + string(code[4:])
}

func runAdminInvite(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin invite", flag.ContinueOnError)
	unit := fs.String("unit", "", "code of the unit")
	role := fs.String("role", storage.RoleOfficer, "officer, leader or admin")
	ttl := fs.Duration("ttl", 72*time.Hour, "how long the code stays valid")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *ttl <= 0 {
		return fmt.Errorf("-ttl must be positive, not %s", *ttl)
	}
	switch *role {
	case storage.RoleOfficer, storage.RoleLeader, storage.RoleAdmin:
	default:
		return fmt.Errorf("-role must be officer, leader or admin, not %q", *role)
	}
	if *unit == "" {
		return errors.New("-unit is required")
	}
	return withStore(ctx, func(cfg *config.Config, store *storage.Store, _ *slog.Logger) error {
		u, err := activeUnit(ctx, store, *unit)
		if err != nil {
			return err
		}
		code := newInviteCode()
		expires := time.Now().Add(*ttl)
		if err := store.CreateInvite(ctx, u.ID, *role, handlers.HashInvite(code), expires); err != nil {
			return err
		}
		bot := cfg.TelegramBotUsername
		if bot == "" {
			bot = "<bot username>"
		}
		fmt.Printf("Invitation for %s of %s, valid until %s:\n\n  code: %s\n  link: https://t.me/%s?start=join_%s\n\nOpen the link, or send /join %s to the bot.\n",
			*role, u.Name, expires.In(workcal.Location()).Format(time.RFC3339), code, bot, code, code)
		return nil
	})
}

func runAdminOfficers(ctx context.Context, args []string) error {
	if err := parseNoArgs(flag.NewFlagSet("admin officers", flag.ContinueOnError), args); err != nil {
		return err
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		officers, err := store.Officers(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tUNIT\tROLE\tNAME\tSINCE")
		for _, o := range officers {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", o.ID, o.UnitCode, o.Role, o.DisplayName, o.CreatedAt.In(workcal.Location()).Format(time.DateOnly))
		}
		return w.Flush()
	})
}

func runAdminRevoke(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin revoke", flag.ContinueOnError)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if fs.NArg() != 1 || err != nil {
		return errors.New("usage: danvan admin revoke ID")
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		err := store.RevokeOfficer(ctx, id, time.Now())
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("revoke %d: no role with this ID is active (revoked already?); \"danvan admin officers\" lists them", id)
		}
		if err != nil {
			return fmt.Errorf("revoke %d: %w", id, err)
		}
		fmt.Printf("Role %d revoked.\n", id)
		return nil
	})
}
