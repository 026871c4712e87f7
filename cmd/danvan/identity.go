package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"text/tabwriter"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// runAdminIdentityReads prints the log of looks at confidential senders'
// identities (law.md §5), newest first, for an inspector or an audit.
func runAdminIdentityReads(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin identity-reads", flag.ContinueOnError)
	code := fs.String("ticket", "", "only the looks at this ticket's sender")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *code != "" {
		// As typed ("pa-2026-123"): a code matched as given would list
		// nothing, as if no one had looked.
		canonical, ok := storage.ParseCode(*code)
		if !ok {
			return fmt.Errorf("admin identity-reads: -ticket %q is not a ticket code (PA-2026-000123)", *code)
		}
		*code = canonical
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		if *code != "" {
			if _, err := store.TicketByCode(ctx, *code); err != nil {
				return lookupFailed("ticket "+*code, err)
			}
		}
		reads, err := store.IdentityReads(ctx, *code)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "AT\tTICKET\tROLE ID\tUNIT\tNAME\tREASON")
		for _, r := range reads {
			fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\n", r.At.In(workcal.Location()).Format("2006-01-02 15:04"),
				r.TicketCode, r.OfficerID, r.Unit, r.Officer, r.Reason)
		}
		return w.Flush()
	})
}
