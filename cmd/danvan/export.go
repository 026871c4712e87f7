package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/report"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// runExport writes a report for interim and annual reviews (sơ kết, tổng
// kết): danvan export -from 2026-01-01 -to 2026-06-30 [-unit CODE] -o FILE.xlsx
func runExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fromFlag := fs.String("from", "", "first day, YYYY-MM-DD or DD/MM/YYYY (default: the first day of the month of -to)")
	toFlag := fs.String("to", "", "last day, included (default: today)")
	unit := fs.String("unit", "", "only this unit and the units below it (code; default: all units)")
	out := fs.String("o", "", "the file to write: FILE.xlsx (summary, tickets and receptions) or FILE.csv (tickets)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: danvan export -from DATE -to DATE [-unit CODE] -o FILE.xlsx|FILE.csv\n\n"+
			"Writes the report of a period: per unit, the tickets received and answered, the on-time\n"+
			"rate, the overdue tickets and the citizens' ratings, with the list of tickets. Dates are\n"+
			"days in Vietnam, both included. The report carries no personal data.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("export: -o FILE.xlsx or -o FILE.csv is required")
	}
	format, err := report.FormatOf(*out)
	if err != nil {
		return err
	}
	if err := checkOutputDir("export: -o", *out); err != nil {
		return err
	}
	now := time.Now()
	last := workcal.DateOf(now)
	if *toFlag != "" {
		if last, err = report.ParseDate(*toFlag); err != nil {
			return fmt.Errorf("export: -to: %w", err)
		}
	}
	first := workcal.NewDate(last.Year, last.Month, 1)
	if *fromFlag != "" {
		if first, err = report.ParseDate(*fromFlag); err != nil {
			return fmt.Errorf("export: -from: %w", err)
		}
	}
	if last.Before(first) {
		return fmt.Errorf("export: -to %s is before -from %s", last, first)
	}
	from, to := report.Period(first, last, now)

	return withStore(ctx, func(_ *config.Config, store *storage.Store, _ *slog.Logger) error {
		var units []int64 // nil: all
		scope := report.AllUnits
		if *unit != "" {
			// Active or not: a review of a period may cover a unit the
			// organisation file has dropped since.
			u, err := store.AnyUnitByCode(ctx, strings.ToLower(strings.TrimSpace(*unit)))
			if err != nil {
				return fmt.Errorf("export: unit %q: %w", *unit, err)
			}
			if units, err = store.UnitSubtree(ctx, u.ID); err != nil {
				return err
			}
			scope = report.SubtreeScope(u.Name, len(units))
		}
		started := time.Now()
		data, err := report.Load(ctx, store, format, units, from, to)
		if err != nil {
			return err
		}
		meta := report.Meta{Scope: scope, From: from, To: to, Generated: now}
		var size int64
		err = writeFileAtomically(*out, func(w io.Writer) error {
			cw := &countingWriter{w: w}
			err := data.Write(cw, format, meta)
			size = cw.n
			return err
		})
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		until := last.String()
		if !to.Equal(last.AddDays(1).Start()) {
			until = "now" // the period reached into the future
		}
		fmt.Println(exportSummary(*out, size, first.String(), until, data, time.Since(started)))
		return nil
	})
}

// exportSummary is the one line printed after an export.
func exportSummary(path string, size int64, first, last string, data report.Data, took time.Duration) string {
	t := data.Total()
	onTime, avg := "-", "-"
	if r, ok := t.OnTimeRate(); ok {
		onTime = fmt.Sprintf("%.1f%%", 100*r)
	}
	if r, ok := t.AverageRating(); ok {
		avg = fmt.Sprintf("%.2f/5 (%d ratings)", r, t.Rated)
	}
	return fmt.Sprintf("%s: %s to %s, %d units; received %d, answered %d (%s on time), overdue %d, average rating %s; %s in %s",
		path, first, last, len(data.Summary), t.Received, t.Answered, onTime, t.Overdue, avg,
		byteSize(size), took.Round(time.Millisecond))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
