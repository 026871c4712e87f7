package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// Limits on what citizens are shown: a place fits a button's message, a
// reason for calling a day off a notice.
const (
	maxReceptionPlace  = 200
	maxReceptionReason = 1000
	// Citizens book up to this many days ahead (handlers' horizon); list
	// shows a weekday's reception days within it.
	receptionHorizon = 28
	// list shows the receptions on dates up to this many days ahead.
	datesListed = 366
)

// receptionWeekdays are the names -weekday takes.
var receptionWeekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func runAdminReception(ctx context.Context, args []string) error {
	return runGroup(ctx, "admin reception", `Usage: danvan admin reception <command>

  set -unit CODE -weekday mon|tue|wed|thu|fri|sat|sun -from HH:MM -to HH:MM -place TEXT -capacity N
                       hold a weekly citizen reception (law.md §8: a commune chairman at least
                       one day a week), or change it; bookings already made keep their hours
  set -unit CODE -day YYYY-MM-DD -from HH:MM -to HH:MM -place TEXT -capacity N
                       hold one on a date (a head of agency's monthly one, an ad hoc one); on
                       that date it replaces the weekly hours, and it may fall on a day off
  off -unit CODE -weekday DAY | -day YYYY-MM-DD
                       stop taking bookings for that weekday or date
  list                 every unit's reception hours and the places taken on the next days
  close -unit CODE -day YYYY-MM-DD -reason TEXT
                       call one reception day off: its bookings are called off and their
                       citizens told the reason`, subcommands{
		"set":   runReceptionSet,
		"off":   runReceptionOff,
		"list":  runReceptionList,
		"close": runReceptionClose,
	}, args)
}

// activeUnit finds an active unit by its code.
func activeUnit(ctx context.Context, store *storage.Store, code string) (storage.Unit, error) {
	u, err := store.UnitByCode(ctx, strings.ToLower(code))
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !u.Active) {
		return u, fmt.Errorf("no active unit %q (see danvan admin export)", code)
	}
	return u, err
}

// anyUnit finds a unit by its code, active or not: hours and bookings
// outlive a unit the organisation file dropped, and must be undone.
func anyUnit(ctx context.Context, store *storage.Store, code string) (storage.Unit, error) {
	u, err := store.AnyUnitByCode(ctx, strings.ToLower(code))
	if errors.Is(err, storage.ErrNotFound) {
		return u, fmt.Errorf("no unit %q (see danvan admin export)", code)
	}
	return u, err
}

// withUnit opens the store and runs fn with the unit of the code, found by
// find (activeUnit or anyUnit).
func withUnit(ctx context.Context, code string, find func(context.Context, *storage.Store, string) (storage.Unit, error),
	fn func(store *storage.Store, u storage.Unit) error) error {
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		u, err := find(ctx, store, code)
		if err != nil {
			return err
		}
		return fn(store, u)
	})
}

// parseWeekday reads a -weekday value: mon, tue, … sun.
func parseWeekday(s string) (time.Weekday, error) {
	d, ok := receptionWeekdays[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return 0, fmt.Errorf("-weekday must be one of mon, tue, wed, thu, fri, sat, sun, not %q", s)
	}
	return d, nil
}

// weekdayName is the -weekday name of a day.
func weekdayName(d time.Weekday) string { return strings.ToLower(d.String()[:3]) }

// parseClock reads an HH:MM time of day and writes it back as 15:04.
func parseClock(name, s string) (string, time.Time, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return "", t, fmt.Errorf("-%s must be a time of day as HH:MM, not %q", name, s)
	}
	return t.Format("15:04"), t, nil
}

// receptionHoursFromFlags checks a reception's hours, place and capacity.
func receptionHoursFromFlags(from, to, place string, capacity int) (storage.ReceptionHours, error) {
	var h storage.ReceptionHours
	var err error
	var starts, ends time.Time
	if h.Starts, starts, err = parseClock("from", from); err != nil {
		return h, err
	}
	if h.Ends, ends, err = parseClock("to", to); err != nil {
		return h, err
	}
	h.Place = strings.TrimSpace(place)
	switch {
	case !starts.Before(ends):
		return h, fmt.Errorf("-from %s must be before -to %s", h.Starts, h.Ends)
	case h.Place == "":
		return h, errors.New("-place is required: where citizens are received")
	case !utf8.ValidString(h.Place) || utf8.RuneCountInString(h.Place) > maxReceptionPlace:
		return h, fmt.Errorf("-place must be UTF-8 text of at most %d characters", maxReceptionPlace)
	case capacity < 1:
		return h, fmt.Errorf("-capacity must be at least 1, not %d", capacity)
	}
	h.Capacity = capacity
	return h, nil
}

func runReceptionSet(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reception set", flag.ContinueOnError)
	unit := fs.String("unit", "", "code of the unit receiving")
	weekday := fs.String("weekday", "", "mon, tue, wed, thu, fri, sat or sun: every week")
	dayFlag := fs.String("day", "", "YYYY-MM-DD: on that date only")
	from := fs.String("from", "", "when the reception starts, HH:MM")
	to := fs.String("to", "", "when it ends, HH:MM")
	place := fs.String("place", "", "where citizens are received")
	capacity := fs.Int("capacity", 0, "how many citizens can book the day")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *unit == "" {
		return errors.New("-unit is required")
	}
	day, dated, err := weekdayOrDate(*weekday, *dayFlag)
	if err != nil {
		return err
	}
	h, err := receptionHoursFromFlags(*from, *to, *place, *capacity)
	if err != nil {
		return err
	}
	return withUnit(ctx, *unit, activeUnit, func(store *storage.Store, u storage.Unit) error {
		h.UnitID = u.ID
		var when string
		if dated {
			when = fmt.Sprintf("%s (%s)", day, day.Weekday())
			err = store.SetReceptionDate(ctx, storage.ReceptionDate{ReceptionHours: h, Day: day.Start()}, time.Now())
		} else {
			h.Weekday = day.Weekday()
			when = h.Weekday.String() + "s"
			err = store.SetReceptionHours(ctx, h, time.Now())
		}
		if err != nil {
			return err
		}
		fmt.Printf("%s receives citizens on %s, %s–%s, at %s, %d places a day. Citizens book with /tiepdan.\n",
			u.Name, when, h.Starts, h.Ends, h.Place, h.Capacity)
		return nil
	})
}

// weekdayOrDate reads -weekday or -day, exactly one: for a weekday, a date
// on it; for a date, the date itself, not in the past, and dated true.
func weekdayOrDate(weekday, day string) (workcal.Date, bool, error) {
	today := workcal.DateOf(time.Now())
	switch {
	case (weekday == "") == (day == ""):
		return today, false, errors.New("give either -weekday (every week) or -day (one date)")
	case weekday != "":
		wd, err := parseWeekday(weekday)
		return today.AddDays((int(wd) - int(today.Weekday()) + 7) % 7), false, err
	}
	d, err := workcal.ParseDate(strings.TrimSpace(day))
	if err != nil {
		return d, true, fmt.Errorf("-day: %w", err)
	}
	if d.Before(today) {
		return d, true, fmt.Errorf("-day %s is in the past", d)
	}
	return d, true, nil
}

func runReceptionOff(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reception off", flag.ContinueOnError)
	unit := fs.String("unit", "", "code of the unit")
	weekday := fs.String("weekday", "", "the weekday it stops receiving on")
	dayFlag := fs.String("day", "", "or the date, YYYY-MM-DD")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *unit == "" {
		return errors.New("usage: danvan admin reception off -unit CODE -weekday DAY | -day YYYY-MM-DD")
	}
	on, dated, err := weekdayOrDate(*weekday, *dayFlag)
	if err != nil {
		return err
	}
	return withUnit(ctx, *unit, anyUnit, func(store *storage.Store, u storage.Unit) error {
		when := on.Weekday().String() + "s"
		var err error
		if dated {
			when = on.String()
			err = store.DeleteReceptionDate(ctx, u.ID, on)
		} else {
			err = store.DeleteReceptionHours(ctx, u.ID, on.Weekday())
		}
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%s holds no reception on %s (see danvan admin reception list)", u.Name, when)
		}
		if err != nil {
			return err
		}
		weekly := false // hours of the weekday that come back on the date
		if dated {
			hours, err := store.UnitReceptionHours(ctx, u.ID)
			if err != nil {
				return err
			}
			weekly = slices.ContainsFunc(hours, func(h storage.ReceptionHours) bool { return h.Weekday == on.Weekday() })
		}
		if weekly {
			fmt.Printf("%s's reception on %s is removed; its %s hours apply on that date again. To take no bookings that day: danvan admin reception close -unit %s -day %s -reason TEXT\n",
				u.Name, when, on.Weekday(), u.Code, on)
		} else {
			fmt.Printf("%s no longer takes bookings for %s.\n", u.Name, when)
		}
		// The bookings already made stand until their day is called off.
		today := workcal.DateOf(time.Now())
		last := today.AddDays(receptionHorizon)
		standing, err := store.ReceptionDays(ctx, u.ID, today, last)
		if err != nil {
			return err
		}
		for d := today; !last.Before(d); d = d.AddDays(1) {
			if st := standing[d]; (d == on || !dated && d.Weekday() == on.Weekday()) && st.ClosedReason == "" && st.Taken > 0 {
				fmt.Printf("%d places are taken on %s; to call the day off and tell the citizens booked: danvan admin reception close -unit %s -day %s -reason TEXT\n",
					st.Taken, d, u.Code, d)
			}
		}
		return nil
	})
}

func runReceptionList(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reception list", flag.ContinueOnError)
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		hours, err := store.AllReceptionHours(ctx)
		if err != nil {
			return err
		}
		today := workcal.DateOf(time.Now())
		dated, err := store.ReceptionDates(ctx, 0, today, today.AddDays(datesListed))
		if err != nil {
			return err
		}
		if len(hours)+len(dated) == 0 {
			fmt.Println("No unit holds receptions (see danvan admin reception set).")
			return nil
		}
		cal, err := store.Calendar(ctx)
		if err != nil {
			return err
		}
		last := today.AddDays(receptionHorizon)
		standing := map[int64]map[workcal.Date]storage.ReceptionDay{}
		w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
		if len(hours) > 0 {
			fmt.Fprintln(w, "UNIT\tWEEKDAY\tHOURS\tPLACE\tCAPACITY\tNEXT DAYS (places taken)")
		}
		for _, h := range hours {
			days, ok := standing[h.UnitID]
			if !ok {
				if days, err = store.ReceptionDays(ctx, h.UnitID, today, last); err != nil {
					return err
				}
				standing[h.UnitID] = days
			}
			var next []string
			for d := today; !last.Before(d); d = d.AddDays(1) {
				if d.Weekday() != h.Weekday {
					continue
				}
				st := days[d]
				switch {
				case st.ClosedReason != "":
					next = append(next, d.String()+" called off")
				case !cal.IsWorkday(d):
					next = append(next, d.String()+" day off")
				default:
					next = append(next, fmt.Sprintf("%s %d/%d", d, st.Taken, h.Capacity))
				}
			}
			fmt.Fprintf(w, "%s\t%s\t%s–%s\t%s\t%d\t%s\n", h.UnitCode, weekdayName(h.Weekday), h.Starts, h.Ends,
				h.Place, h.Capacity, strings.Join(next, ", "))
		}
		if len(dated) > 0 {
			if len(hours) > 0 {
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, "UNIT\tDATE\tHOURS\tPLACE\tCAPACITY\tPLACES TAKEN")
		}
		for _, r := range dated {
			d := r.Date()
			days, err := store.ReceptionDays(ctx, r.UnitID, d, d)
			if err != nil {
				return err
			}
			taken := fmt.Sprint(days[d].Taken)
			if days[d].ClosedReason != "" {
				taken = "called off"
			}
			fmt.Fprintf(w, "%s\t%s %s\t%s–%s\t%s\t%d\t%s\n", r.UnitCode, d, weekdayName(d.Weekday()), r.Starts, r.Ends,
				r.Place, r.Capacity, taken)
		}
		return w.Flush()
	})
}

func runReceptionClose(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("reception close", flag.ContinueOnError)
	unit := fs.String("unit", "", "code of the unit")
	dayFlag := fs.String("day", "", "the reception day called off, YYYY-MM-DD")
	reasonFlag := fs.String("reason", "", "why, as the citizens booked will read it")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *unit == "" || *dayFlag == "" {
		return errors.New("usage: danvan admin reception close -unit CODE -day YYYY-MM-DD -reason TEXT")
	}
	day, err := workcal.ParseDate(*dayFlag)
	if err != nil {
		return fmt.Errorf("-day: %w", err)
	}
	if today := workcal.DateOf(time.Now()); day.Before(today) {
		return fmt.Errorf("%s is in the past; only today or a day to come can be called off", day)
	}
	reason := strings.TrimSpace(*reasonFlag)
	if reason == "" || !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxReceptionReason {
		return fmt.Errorf("-reason must be UTF-8 text of 1 to %d characters: the citizens booked are told it", maxReceptionReason)
	}
	return withUnit(ctx, *unit, anyUnit, func(store *storage.Store, u storage.Unit) error {
		var told int
		err := store.InTx(ctx, func(tx *storage.Store) error {
			var holds bool
			var err error
			told, holds, err = handlers.CallOffReceptionDay(ctx, tx, u.ID, day, reason, time.Now())
			switch {
			case errors.Is(err, storage.ErrDuplicate):
				return fmt.Errorf("%s's reception of %s is already called off", u.Name, day)
			case err == nil && !holds && told == 0:
				// Most likely a mistyped day: record nothing.
				return fmt.Errorf("%s holds no reception on %ss and has no booking for %s; nothing to call off",
					u.Name, day.Weekday(), day)
			}
			return err
		})
		if err != nil {
			return err
		}
		fmt.Printf("%s's reception of %s (%s) is called off; the notice is queued for the %d citizens booked.\n",
			u.Name, day, day.Weekday(), told)
		return nil
	})
}
