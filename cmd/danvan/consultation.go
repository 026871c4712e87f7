package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// minConsultationDays is the shortest consultation the Grassroots
// Democracy Law allows (Art. 26, 28; law.md §7).
const minConsultationDays = 20

// Limits on what citizens are shown: a title fits a list line, a summary
// and a synthesis a few messages.
const (
	maxConsultationTitle = 200
	maxConsultationText  = 12000
)

func runAdminConsultation(ctx context.Context, args []string) error {
	return runGroup(ctx, "admin consultation", `Usage: danvan admin consultation <command>

  add -unit CODE -title TEXT [-opens YYYY-MM-DD] -closes YYYY-MM-DD (-summary TEXT | -summary-file FILE | -link URL) [-force] [-notify=false]
                       put a draft or plan out for residents' comments (law.md §7: the
                       last day at least 20 days after the later of -opens and today;
                       -force allows less);
                       the followers of the unit's areas are told when it opens
  list                 consultations, open and closed, with their comments
  extend -id N -closes YYYY-MM-DD
                       take comments until a later day (also one that has ended and
                       has no synthesis yet)
  close -id N -synthesis FILE [-force]
                       publish the synthesis and send it to everyone who commented
                       (-force before the period has ended)`, subcommands{
		"add":    runConsultationAdd,
		"list":   runConsultationList,
		"extend": runConsultationExtend,
		"close":  runConsultationClose,
	}, args)
}

func runConsultationAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("consultation add", flag.ContinueOnError)
	unit := fs.String("unit", "", "code of the unit consulting")
	title := fs.String("title", "", "title of the draft or plan")
	opens := fs.String("opens", time.Now().In(workcal.Location()).Format(time.DateOnly), "first day comments are taken, YYYY-MM-DD")
	closes := fs.String("closes", "", "last day comments are taken, YYYY-MM-DD")
	summary := fs.String("summary", "", "the text shown to residents, or a summary of it")
	summaryFile := fs.String("summary-file", "", "read the summary from this file")
	link := fs.String("link", "", "where the full document is (https://…)")
	force := fs.Bool("force", false, "accept a period shorter than the law's 20 days")
	notify := fs.Bool("notify", true, "tell the followers of the unit's areas when it opens")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("consultation add: unexpected argument %q", fs.Arg(0))
	}
	nc, err := consultationFromFlags(*title, *summary, *summaryFile, *link)
	if err != nil {
		return err
	}
	if *unit == "" || *closes == "" {
		return errors.New("-unit and -closes are required")
	}
	first, err := workcal.ParseDate(*opens)
	if err != nil {
		return fmt.Errorf("-opens: %w", err)
	}
	last, err := workcal.ParseDate(*closes)
	if err != nil {
		return fmt.Errorf("-closes: %w", err)
	}
	// The law's 20 days run from publication, which is when residents are
	// told and can comment: the opening day, or today for one opened in
	// the past. As everywhere (Civil Code Art. 147), that day itself does
	// not count.
	published := workcal.DateOf(time.Now())
	if first.After(published) {
		published = first
	}
	days := last.Sub(published)
	switch {
	case last.Before(first):
		return errors.New("-closes is before -opens")
	case days < minConsultationDays && !*force:
		return fmt.Errorf("comments would be taken for %d days after it is published on %s; the law requires at least %d (law.md §7; -force to proceed anyway)",
			days, published, minConsultationDays)
	case days < minConsultationDays:
		fmt.Fprintf(os.Stderr, "Warning: comments are taken for %d days after it is published, fewer than the %d the Grassroots Democracy Law requires (Art. 26, 28).\n", days, minConsultationDays)
	}
	nc.OpensAt, nc.ClosesAt = first.Start(), last.AddDays(1).Start()
	return withStore(ctx, func(cfg *config.Config, store *storage.Store, _ *slog.Logger) error {
		u, err := store.UnitByCode(ctx, strings.ToLower(*unit))
		if errors.Is(err, storage.ErrNotFound) || (err == nil && !u.Active) {
			return fmt.Errorf("no active unit %q (see danvan admin export)", *unit)
		}
		if err != nil {
			return err
		}
		nc.UnitID = u.ID
		var c storage.Consultation
		told := 0
		err = store.InTx(ctx, func(tx *storage.Store) error {
			now := time.Now()
			if c, err = tx.CreateConsultation(ctx, nc, now); err != nil || !*notify {
				return err
			}
			// The bot paces notices at two thirds of SEND_RATE, as the
			// leaders' (/congbo).
			told, err = handlers.ScheduleConsultationNotice(ctx, tx, c, now, cfg.SendRate*2/3)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("Consultation %d of %s: %q, comments from %s to %s (%d days after it is published). Residents find it with /gopy.\n",
			c.ID, u.Name, c.Title, first, last, days)
		if *notify {
			fmt.Printf("%d people following the unit's areas will be told when it opens.\n", told)
		}
		return nil
	})
}

// consultationFromFlags checks what residents will be shown.
func consultationFromFlags(title, summary, summaryFile, link string) (storage.NewConsultation, error) {
	title, link = strings.TrimSpace(title), strings.TrimSpace(link)
	if summaryFile != "" {
		if summary != "" {
			return storage.NewConsultation{}, errors.New("give -summary or -summary-file, not both")
		}
		b, err := os.ReadFile(summaryFile)
		if err != nil {
			return storage.NewConsultation{}, err
		}
		summary = string(b)
	}
	summary = strings.TrimSpace(summary)
	switch {
	case title == "":
		return storage.NewConsultation{}, errors.New("-title is required")
	case utf8.RuneCountInString(title) > maxConsultationTitle:
		return storage.NewConsultation{}, fmt.Errorf("-title is over %d characters", maxConsultationTitle)
	case summary == "" && link == "":
		return storage.NewConsultation{}, errors.New("give a -summary (or -summary-file) or a -link to the document")
	case !utf8.ValidString(summary) || utf8.RuneCountInString(summary) > maxConsultationText:
		return storage.NewConsultation{}, fmt.Errorf("the summary must be UTF-8 text of at most %d characters", maxConsultationText)
	case link != "" && !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://"):
		return storage.NewConsultation{}, fmt.Errorf("-link must be an http(s) address, not %q", link)
	}
	return storage.NewConsultation{Title: title, Summary: summary, Link: link}, nil
}

func runConsultationList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("consultation list", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("consultation list: unexpected argument %q", fs.Arg(0))
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		cs, err := store.Consultations(ctx)
		if err != nil {
			return err
		}
		now := time.Now()
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tUNIT\tOPENS\tCLOSES\tSTATE\tCOMMENTS\tTITLE")
		for _, c := range cs {
			state := "open"
			switch {
			case c.PublishedAt.Valid:
				state = "closed " + c.PublishedAt.Time.In(workcal.Location()).Format(time.DateOnly)
			case now.Before(c.OpensAt):
				state = "not yet open"
			case !now.Before(c.ClosesAt):
				state = "ended, no synthesis"
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", c.ID, c.UnitCode, workcal.DateOf(c.OpensAt),
				workcal.DateOf(c.ClosesAt.Add(-time.Second)), state, c.Comments, c.Title)
		}
		return w.Flush()
	})
}

func runConsultationExtend(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("consultation extend", flag.ContinueOnError)
	id := fs.Int64("id", 0, "the consultation (see list)")
	closes := fs.String("closes", "", "the new last day comments are taken, YYYY-MM-DD")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *id <= 0 || *closes == "" {
		return errors.New("usage: danvan admin consultation extend -id N -closes YYYY-MM-DD")
	}
	last, err := workcal.ParseDate(*closes)
	if err != nil {
		return fmt.Errorf("-closes: %w", err)
	}
	if !last.AddDays(1).Start().After(time.Now()) {
		return fmt.Errorf("-closes %s is over already", last)
	}
	return withStore(ctx, func(cfg *config.Config, store *storage.Store, _ *slog.Logger) error {
		return store.InTx(ctx, func(tx *storage.Store) error {
			c, err := tx.LockConsultation(ctx, *id)
			if errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("no consultation %d (see danvan admin consultation list)", *id)
			}
			if err != nil {
				return err
			}
			switch {
			case c.PublishedAt.Valid:
				return fmt.Errorf("consultation %d was closed on %s", c.ID, c.PublishedAt.Time.In(workcal.Location()).Format(time.DateOnly))
			case !last.AddDays(1).Start().After(c.ClosesAt):
				return fmt.Errorf("consultation %d already takes comments until the end of %s", c.ID, workcal.DateOf(c.ClosesAt.Add(-time.Second)))
			}
			if err := tx.ExtendConsultation(ctx, c.ID, last.AddDays(1).Start()); err != nil {
				return err
			}
			was := workcal.DateOf(c.ClosesAt.Add(-time.Second))
			// The notice of its opening, still to go, gives the new last day.
			if now := time.Now(); now.Before(c.OpensAt) {
				c.ClosesAt = last.AddDays(1).Start()
				if err := handlers.DropConsultationNotice(ctx, tx, c); err != nil {
					return err
				}
				if _, err := handlers.ScheduleConsultationNotice(ctx, tx, c, now, cfg.SendRate*2/3); err != nil {
					return err
				}
			}
			fmt.Printf("Consultation %d takes comments until the end of %s (it was %s).\n", c.ID, last, was)
			return nil
		})
	})
}

func runConsultationClose(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("consultation close", flag.ContinueOnError)
	id := fs.Int64("id", 0, "the consultation (see list)")
	file := fs.String("synthesis", "", "file with the synthesis: what was adopted, and why the rest was not")
	force := fs.Bool("force", false, "close before the period has ended")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 || *id <= 0 || *file == "" {
		return errors.New("usage: danvan admin consultation close -id N -synthesis FILE [-force]")
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return err
	}
	synthesis := strings.TrimSpace(string(b))
	if synthesis == "" || !utf8.ValidString(synthesis) || utf8.RuneCountInString(synthesis) > maxConsultationText {
		return fmt.Errorf("%s: the synthesis must be UTF-8 text of 1 to %d characters", *file, maxConsultationText)
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		var told int
		var c storage.Consultation
		err := store.InTx(ctx, func(tx *storage.Store) error {
			// Locked: comments being written finish first, and their
			// authors get the synthesis too.
			c, err = tx.LockConsultation(ctx, *id)
			if errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("no consultation %d (see danvan admin consultation list)", *id)
			}
			if err != nil {
				return err
			}
			now := time.Now()
			switch {
			case c.PublishedAt.Valid:
				return fmt.Errorf("consultation %d was closed on %s", c.ID, c.PublishedAt.Time.In(workcal.Location()).Format(time.DateOnly))
			case now.Before(c.ClosesAt) && !*force:
				return fmt.Errorf("consultation %d takes comments until the end of %s (-force to close it now)",
					c.ID, workcal.DateOf(c.ClosesAt.Add(-time.Second)))
			}
			if err := tx.PublishSynthesis(ctx, c.ID, synthesis, now); err != nil {
				return err
			}
			// Closed before it opened: its followers are not invited to comment.
			if err := handlers.DropConsultationNotice(ctx, tx, c); err != nil {
				return err
			}
			c.Synthesis.String, c.Synthesis.Valid = synthesis, true
			told, err = handlers.QueueSynthesis(ctx, tx, c, now)
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("Consultation %d closed; the synthesis is queued for the %d people who commented or co-signed a comment.\n", c.ID, told)
		return nil
	})
}
