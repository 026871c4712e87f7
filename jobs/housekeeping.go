package jobs

import (
	"context"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// inboxRetention keeps handled updates long enough to recognise a
// redelivery (Telegram keeps updates at most 24 hours), and no longer:
// update ids restart from a random value after a quiet week.
const inboxRetention = 3 * 24 * time.Hour

// Housekeeping deletes handled updates that can no longer be redelivered.
func Housekeeping(store *storage.Store) Job {
	return Job{
		Name:     "housekeeping",
		Schedule: "17 3 * * *", // daily at 03:17, a quiet hour
		CatchUp:  24 * time.Hour,
		Run: func(ctx context.Context, slot time.Time) error {
			_, err := store.PurgeInbox(ctx, slot.Add(-inboxRetention))
			return err
		},
	}
}
