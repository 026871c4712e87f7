package bot

import (
	"context"
	"log/slog"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// WhileLeading runs work whenever this process holds role, a role one
// process at a time may hold across all replicas; the others stand by,
// trying to take it every standby, so one takes over within that when the
// holder stops or dies. work returns when ctx ends or when it finds the
// lead lost; it is run again once the role is taken again. An error from
// work ends WhileLeading with it.
func WhileLeading(ctx context.Context, store *storage.Store, role string, standby time.Duration, logger *slog.Logger,
	work func(ctx context.Context, lead *storage.Lead) error) error {
	for ctx.Err() == nil {
		lead, ok, err := store.TryLead(ctx, role)
		if err != nil && ctx.Err() == nil {
			logger.Warn("could not take a role", "role", role, "error", err)
		}
		if ok {
			logger.Info("this process took a role", "role", role)
			err := work(ctx, lead)
			lead.Release(context.WithoutCancel(ctx))
			if err != nil {
				return err
			}
			continue
		}
		timer := time.NewTimer(standby)
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		timer.Stop()
	}
	return nil
}

// WatchLead is Lead.Watch, logging a lead found lost.
func WatchLead(ctx context.Context, lead *storage.Lead, interval time.Duration, logger *slog.Logger) (context.Context, func()) {
	watched, stop := lead.Watch(ctx, interval)
	return watched, func() {
		if err := stop(); err != nil {
			logger.Warn("a role may be lost; standing by", "error", err)
		}
	}
}
