package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// RecordFunc durably stores received updates. The poller confirms updates
// to Telegram, and the webhook answers 200, only after it returned nil:
// an update is never lost between Telegram and the inbox.
type RecordFunc func(ctx context.Context, updates []storage.IncomingUpdate) error

// recordTimeout bounds one write of the inbox.
const recordTimeout = 10 * time.Second

// Recorder records updates in the inbox and then, if any was new, calls
// recorded (the processor's Wake) with the chat keys of those written.
//
// Calls that arrive together share one write (group commit): webhook
// requests come one update each, and a durable commit per update would
// cap intake at the disk's commit rate. A call made while no write is in
// progress is written at once, so nothing waits for a batch to fill.
func Recorder(store *storage.Store, recorded func(chats ...string)) RecordFunc {
	g := &groupRecorder{store: store, recorded: recorded}
	return g.record
}

type groupRecorder struct {
	store    *storage.Store
	recorded func(chats ...string)

	mu      sync.Mutex
	queue   []recordCall
	writing bool
}

type recordCall struct {
	updates []storage.IncomingUpdate
	done    chan error
}

func (g *groupRecorder) record(ctx context.Context, updates []storage.IncomingUpdate) error {
	call := recordCall{updates: updates, done: make(chan error, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, call)
	if !g.writing {
		// The writer keeps writing while calls keep coming; it runs on
		// its own so that this caller is answered after its own batch.
		g.writing = true
		go g.writeQueued(context.WithoutCancel(ctx))
	}
	g.mu.Unlock()
	select {
	case err := <-call.done:
		return err
	case <-ctx.Done():
		// Not confirmed, so the update comes again; if it was written
		// meanwhile, the inbox ignores the second copy.
		return ctx.Err()
	}
}

// writeQueued writes batches until the queue is empty.
func (g *groupRecorder) writeQueued(ctx context.Context) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for len(g.queue) > 0 {
		batch := g.queue
		g.queue = nil
		g.mu.Unlock()
		var updates []storage.IncomingUpdate
		for _, c := range batch {
			updates = append(updates, c.updates...)
		}
		writeCtx, cancel := context.WithTimeout(ctx, recordTimeout)
		n, err := g.store.RecordUpdates(writeCtx, Channel, updates)
		cancel()
		if err == nil && n > 0 && g.recorded != nil {
			g.recorded(chatKeys(updates)...)
		}
		for _, c := range batch {
			c.done <- err
		}
		g.mu.Lock()
	}
	g.writing = false
}

func chatKeys(updates []storage.IncomingUpdate) []string {
	keys := make([]string, len(updates))
	for i, u := range updates {
		keys[i] = u.ChatKey
	}
	return keys
}

// incoming prepares a raw update for the inbox, decoding only its id and
// chat; false when it has no update_id.
func incoming(raw []byte) (storage.IncomingUpdate, bool) {
	var h updateHead
	if err := json.Unmarshal(raw, &h); err != nil || h.UpdateID == nil {
		return storage.IncomingUpdate{}, false
	}
	return storage.IncomingUpdate{UpdateID: *h.UpdateID, ChatKey: h.chatKey(), Payload: withoutNUL(raw)}, true
}

// withoutNUL drops the NUL characters (\u0000) from the strings of a raw
// update. The inbox keeps updates as jsonb, which refuses them: one such
// update would fail its whole batch on every try, and intake would never
// get past it. The handlers drop NULs from what they read anyway.
func withoutNUL(raw []byte) []byte {
	nul := []byte(`\u0000`)
	if !bytes.Contains(raw, nul) {
		return raw
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		switch {
		case raw[i] != '\\':
			out = append(out, raw[i])
		case bytes.HasPrefix(raw[i:], nul):
			i += len(nul) - 1
		default:
			// Another escape, such as \\ before a "u0000" that is text.
			out = append(out, raw[i])
			if i+1 < len(raw) {
				i++
				out = append(out, raw[i])
			}
		}
	}
	return out
}
