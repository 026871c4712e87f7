package jobs

import (
	"context"
	"time"

	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// inboxRetention keeps handled updates long enough to recognise a
// redelivery (Telegram keeps updates at most 24 hours), and no longer:
// update ids restart from a random value after a quiet week.
const inboxRetention = 3 * 24 * time.Hour

// failedUpdateRetention gives operators a month to look into an update
// the handlers gave up on; it holds the person's raw words until then.
const failedUpdateRetention = 30 * 24 * time.Hour

// outboxRetention keeps delivered messages for a month, for operators
// looking into what someone was told.
const outboxRetention = 30 * 24 * time.Hour

// jobRunRetention keeps a month of scheduled runs' records: far more than
// the longest catch-up looks back, enough to see what ran.
const jobRunRetention = 30 * 24 * time.Hour

// Housekeeping deletes handled updates that can no longer be redelivered,
// updates given up on a month ago, old delivered messages, conversations
// left past their lifetime and old records of scheduled runs, and blanks
// the petitions of people who erased their data once they are closed.
func Housekeeping(store *storage.Store) Job {
	return Job{
		Name:     "housekeeping",
		Schedule: "17 3 * * *", // daily at 03:17, a quiet hour
		CatchUp:  24 * time.Hour,
		Run: func(ctx context.Context, slot time.Time) error {
			if _, err := store.PurgeInbox(ctx, slot.Add(-inboxRetention), slot.Add(-failedUpdateRetention)); err != nil {
				return err
			}
			// The messages taking expired drafts' keyboards down commit with
			// the purge.
			if err := store.InTx(ctx, func(tx *storage.Store) error {
				return handlers.ExpireConversations(ctx, tx, slot.Add(-handlers.DraftLifetime))
			}); err != nil {
				return err
			}
			if _, err := store.PurgeJobRuns(ctx, slot.Add(-jobRunRetention)); err != nil {
				return err
			}
			if err := store.BlankErasedPetitions(ctx, workcal.DateOf(slot)); err != nil {
				return err
			}
			_, err := store.PurgeOutbox(ctx, slot.Add(-outboxRetention))
			return err
		},
	}
}
