package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/danvan-vn/danvan/digest"
	"github.com/danvan-vn/danvan/storage"
)

// DigestSchedule is when leaders get the weekly digest by default: Monday
// 07:30 in the runner's location (Asia/Ho_Chi_Minh), before the working
// day starts.
const DigestSchedule = "30 7 * * MON"

// WeeklyDigest queues, for every unit with an active leader, the digest of
// the week that ended at the start of the slot's week (Monday 00:00), to
// each of its leaders. A slot missed for up to 3 days is caught up. Each
// unit is queued in its own transaction, and the outbox ignores a digest
// already queued for a leader and week, so running again (a second slot
// in the same week, `danvan digest -now`) sends nothing twice.
func WeeklyDigest(store *storage.Store, schedule string, logger *slog.Logger) Job {
	if schedule == "" {
		schedule = DigestSchedule
	}
	if logger == nil {
		logger = slog.Default()
	}
	return Job{
		Name:     "weekly-digest",
		Schedule: schedule,
		CatchUp:  3 * 24 * time.Hour,
		Run: func(ctx context.Context, slot time.Time) error {
			week := digest.LastCompleteWeek(slot)
			digests, err := digest.ComputeAll(ctx, store, week)
			if err != nil {
				return err
			}
			leaders, errs := 0, []error(nil)
			for _, d := range digests {
				if err := ctx.Err(); err != nil {
					return err
				}
				// One unit failing (say, a chart that cannot be drawn)
				// must not keep the others' leaders waiting.
				var n int
				err := store.InTx(ctx, func(tx *storage.Store) (err error) {
					n, err = digest.Queue(ctx, tx, d, channel)
					return err
				})
				if err != nil {
					logger.Error("weekly digest not queued", "unit", d.Unit.Code, "error", err)
					errs = append(errs, fmt.Errorf("unit %s: %w", d.Unit.Code, err))
					continue
				}
				leaders += n
			}
			logger.Info("weekly digests queued", "week", week.Format(time.DateOnly), "units", len(digests), "leaders", leaders)
			return errors.Join(errs...)
		},
	}
}
