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

	"golang.org/x/text/unicode/norm"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

func runAdminCalendar(ctx context.Context, args []string) error {
	return runGroup(ctx, "admin calendar", `Usage: danvan admin calendar <command>

  add DATE -off|-work [-reason TEXT]   record the government's exception for a day
                                       (a swapped day off, a make-up working Saturday)
  remove DATE                          forget an exception
  list [-year YYYY]                    holidays (computed, Tết included) and exceptions
  hours [HH:MM-HH:MM ...] [-default]   show or set the office hours that deadlines
                                       in working hours count, e.g. 07:30-11:30 13:30-17:00`, subcommands{
		"add":    runCalendarAdd,
		"remove": runCalendarRemove,
		"list":   runCalendarList,
		"hours":  runCalendarHours,
	}, args)
}

// runCalendarHours shows the office hours, or sets them as a change to the
// calendar: open tickets counted in working hours whose period loses
// office time are postponed by it, as for a new day off.
func runCalendarHours(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("calendar hours", flag.ContinueOnError)
	reset := fs.Bool("default", false, "go back to the default office hours, "+workcal.DefaultOfficeHours().String())
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var hours workcal.OfficeHours
	switch {
	case *reset && fs.NArg() > 0:
		return errors.New("give either sessions or -default, not both")
	case fs.NArg() > 0:
		var err error
		if hours, err = workcal.ParseOfficeHours(fs.Args()); err != nil {
			return err
		}
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		if !*reset && fs.NArg() == 0 {
			cal, err := store.Calendar(ctx)
			if err != nil {
				return err
			}
			fmt.Printf("Office hours: %s.\n", hoursText(cal.OfficeHours()))
			return nil
		}
		change, err := changeCalendarDay(ctx, store, func(tx *storage.Store) error { return tx.SetOfficeHours(ctx, hours) })
		if err != nil {
			return err
		}
		shown := hours
		if *reset {
			shown = workcal.DefaultOfficeHours()
		}
		fmt.Printf("Office hours are now %s. %s\n", hoursText(shown), postponedText(change))
		return nil
	})
}

// hoursText writes office hours with their length, e.g. "07:30-11:30,
// 13:30-17:00 (7.5 hours a working day)".
func hoursText(hours workcal.OfficeHours) string {
	return fmt.Sprintf("%s (%g hours a working day)", hours, hours.Daily().Hours())
}

func runCalendarAdd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("calendar add", flag.ContinueOnError)
	off := fs.Bool("off", false, "the day is a day off")
	work := fs.Bool("work", false, "the day is a working day")
	reason := fs.String("reason", "", "why, e.g. \"Làm bù cho ngày 02/01\"")
	day, err := dateArg(fs, args)
	if err != nil {
		return err
	}
	if *off == *work {
		return errors.New("give exactly one of -off and -work")
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		change, err := changeCalendarDay(ctx, store, func(tx *storage.Store) error {
			return tx.SetCalendarDay(ctx, day, *work, strings.TrimSpace(norm.NFC.String(*reason)))
		})
		if err != nil {
			return err
		}
		kind := "a day off"
		if *work {
			kind = "a working day"
		}
		fmt.Printf("%s is now %s.%s %s\n", day, kind, alsoTurnedText(day, change), postponedText(change))
		return nil
	})
}

func runCalendarRemove(ctx context.Context, args []string) error {
	day, err := dateArg(flag.NewFlagSet("calendar remove", flag.ContinueOnError), args)
	if err != nil {
		return err
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		// Only a recorded exception can be removed: a mistyped date must
		// not look like success.
		change, err := changeCalendarDay(ctx, store, func(tx *storage.Store) error {
			return tx.DeleteCalendarDay(ctx, day)
		})
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%s: no exception recorded (see danvan admin calendar list -year %d)", day, day.Year)
		}
		if err != nil {
			return err
		}
		fmt.Printf("%s: exception removed; the day follows the computed calendar again.%s %s\n", day, alsoTurnedText(day, change), postponedText(change))
		return nil
	})
}

// changeCalendarDay makes a change to a day in one transaction with the
// deadlines it postpones and the notices telling their citizens. The
// change locks the calendar and then every open ticket, while a worker
// handling a ticket locks it and then reads the calendar: PostgreSQL
// breaks such a deadlock by aborting one of the two, and the change is
// then run again (the worker's update is retried as any failed one).
func changeCalendarDay(ctx context.Context, store *storage.Store, change func(tx *storage.Store) error) (done handlers.CalendarChange, err error) {
	for attempt := 1; ; attempt++ {
		err = store.InTx(ctx, func(tx *storage.Store) error {
			done, err = handlers.ChangeCalendarDay(ctx, tx, time.Now(), func() error { return change(tx) })
			return err
		})
		if !errors.Is(err, storage.ErrDeadlock) || attempt == calendarChangeAttempts {
			return done, err
		}
	}
}

// calendarChangeAttempts bounds the runs of a change aborted by deadlocks.
const calendarChangeAttempts = 3

// alsoTurnedText names the days besides day a change turned (the days of
// a Tết span it moved), " " and the sentence, or "" if none.
func alsoTurnedText(day workcal.Date, change handlers.CalendarChange) string {
	others := func(days []workcal.Date) string {
		var s []string
		for _, d := range days {
			if d != day {
				s = append(s, d.String())
			}
		}
		return strings.Join(s, ", ")
	}
	var also []string
	if off := others(change.NowOff); off != "" {
		also = append(also, "now days off: "+off)
	}
	if working := others(change.NowWorking); working != "" {
		also = append(also, "now working days: "+working)
	}
	if len(also) == 0 {
		return ""
	}
	return " It also moved that year's Tết span (a day off whose reason names Tết replaces the computed one; " +
		"record every day of the announced break): " + strings.Join(also, "; ") + "."
}

// postponedText says what a change to the calendar did to deadlines, and
// to the reception bookings on the days it made days off.
func postponedText(change handlers.CalendarChange) string {
	text := deadlinesText(change.Postponed)
	if change.CalledOff > 0 {
		text += fmt.Sprintf(" %d reception bookings on days now off were called off, and their citizens told.", change.CalledOff)
	}
	return text
}

// deadlinesText says what a change to the calendar did to deadlines.
func deadlinesText(postponed int) string {
	if postponed == 0 {
		return "Deadlines computed from now on follow it; no open ticket's deadline moved."
	}
	return fmt.Sprintf("%d open tickets whose period lost working time to it get that time back (a working day, or a day's office hours; "+
		"a deadline in days that fell on it moves to the next working day), "+
		"and their senders are told the new date; working time a change gives shortens no deadline, but a later change takes from it first.", postponed)
}

// dateArg parses "DATE [flags]" or "[flags] DATE".
func dateArg(fs *flag.FlagSet, args []string) (workcal.Date, error) {
	if err := parseFlags(fs, args); err != nil {
		return workcal.Date{}, err
	}
	if fs.NArg() != 1 {
		return workcal.Date{}, errors.New("give one date as YYYY-MM-DD")
	}
	return workcal.ParseDate(fs.Arg(0))
}

func runCalendarList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("calendar list", flag.ContinueOnError)
	year := fs.Int("year", time.Now().In(workcal.Location()).Year(), "the year to show")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		cal, err := store.Calendar(ctx)
		if err != nil {
			return err
		}
		exceptions, err := store.CalendarDays(ctx)
		if err != nil {
			return err
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(w, "Office hours: %s\n\n", hoursText(cal.OfficeHours()))
		fmt.Fprintf(w, "Holidays %d (computed; ordinary Saturdays and Sundays not listed)\n", *year)
		for _, h := range cal.Holidays(*year) {
			fmt.Fprintf(w, "%s\t%s\t%s\n", h.Date, h.Date.Weekday(), h.Reason)
		}
		fmt.Fprintf(w, "\nExceptions %d recorded by administrators\n", *year)
		for _, d := range exceptions {
			if d.Day.Year() != *year {
				continue
			}
			kind := "day off"
			if d.IsWorkday {
				kind = "working day"
			}
			fmt.Fprintf(w, "%s\t%s\t%s\n", d.Day.Format("2006-01-02"), kind, d.Reason)
		}
		return w.Flush()
	})
}
