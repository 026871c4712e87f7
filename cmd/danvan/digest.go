package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/digest"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// digestChannel is the messenger leaders' digests go out on, as in the
// weekly job.
const digestChannel = "telegram"

// runDigest previews a unit's weekly digest or queues the digests now.
func runDigest(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	unit := fs.String("unit", "", "the unit's code: the digest of its subtree (required with -preview)")
	preview := fs.Bool("preview", false, "print the digest as plain text; nothing is sent")
	chart := fs.String("chart", "", "with -preview: also write the chart to this PNG file")
	lang := fs.String("lang", "vi", "with -preview: vi or en")
	week := fs.String("week", "", "report on the week (Monday to Sunday) containing this date, YYYY-MM-DD; default: the last complete week")
	now := fs.Bool("now", false, "queue the digests for the leaders of every unit (or of -unit) now; a leader gets a week's digest once however often this runs")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), `Usage: danvan digest -unit CODE -preview [-chart FILE.png] [-week YYYY-MM-DD] [-lang vi|en]
       danvan digest -now [-unit CODE] [-week YYYY-MM-DD]`)
		fs.PrintDefaults()
	}
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	switch {
	case *preview == *now:
		return errors.New("give one of -preview and -now")
	case *preview && *unit == "":
		return errors.New("-preview needs -unit")
	case *chart != "" && !*preview:
		return errors.New("-chart goes with -preview")
	}
	if err := checkOutputDir("-chart", *chart); err != nil {
		return err
	}
	weekStart := digest.LastCompleteWeek(time.Now())
	if *week != "" {
		day, err := workcal.ParseDate(*week)
		if err != nil {
			return fmt.Errorf("-week: %w", err)
		}
		weekStart = digest.WeekStart(day.Start())
		if *now && !digest.Ended(weekStart, time.Now()) {
			// Queued once per leader and week, a digest of a week still
			// going on would keep the complete one from being sent.
			return fmt.Errorf("-week: the week of %s has not ended yet; use -preview to see it so far", *week)
		}
	}

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

	var digests []digest.Digest
	if *unit != "" {
		u, err := store.AnyUnitByCode(ctx, strings.ToLower(*unit))
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no unit %q (see danvan admin export)", *unit)
		}
		if err != nil {
			return err
		}
		d, err := digest.Compute(ctx, store, u.ID, weekStart)
		if err != nil {
			return err
		}
		digests = []digest.Digest{d}
	} else if digests, err = digest.ComputeAll(ctx, store, weekStart); err != nil {
		return err
	}

	if *preview {
		d := digests[0]
		fmt.Println(digest.PlainText(digest.Render(d, *lang)))
		if *chart != "" {
			png, err := digest.Chart(d, *lang)
			if err != nil {
				return err
			}
			if err := os.WriteFile(*chart, png, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "Chart written to %s.\n", *chart)
		}
		return nil
	}

	leaders := 0
	for _, d := range digests {
		var n int
		err := store.InTx(ctx, func(tx *storage.Store) (err error) {
			n, err = digest.Queue(ctx, tx, d, digestChannel)
			return err
		})
		if err != nil {
			return fmt.Errorf("unit %s: %w", d.Unit.Code, err)
		}
		leaders += n
	}
	end := weekStart.AddDate(0, 0, 6)
	fmt.Printf("Digest of the week %s to %s queued for %d leaders of %d units (each leader gets it once).\n",
		weekStart.Format(time.DateOnly), end.Format(time.DateOnly), leaders, len(digests))
	return nil
}
