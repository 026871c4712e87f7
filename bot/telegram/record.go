package telegram

import (
	"context"

	"github.com/danvan-vn/danvan/storage"
)

// RecordFunc durably stores received updates. The poller confirms updates
// to Telegram, and the webhook answers 200, only after it returned nil:
// an update is never lost between Telegram and the inbox.
type RecordFunc func(ctx context.Context, updates []storage.IncomingUpdate) error

// Recorder records updates in the inbox and then calls recorded (the
// processor's Wake) if any was new.
func Recorder(store *storage.Store, recorded func()) RecordFunc {
	return func(ctx context.Context, updates []storage.IncomingUpdate) error {
		n, err := store.RecordUpdates(ctx, Channel, updates)
		if err == nil && n > 0 && recorded != nil {
			recorded()
		}
		return err
	}
}

// incoming prepares a raw update for the inbox.
func incoming(updateID int64, raw []byte) storage.IncomingUpdate {
	return storage.IncomingUpdate{UpdateID: updateID, ChatKey: ChatKey(raw), Payload: raw}
}
