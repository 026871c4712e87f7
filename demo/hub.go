package demo

import (
	"context"
	"sync"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// hub tells the page that something changed: a version number that grows
// whenever the bot sends, edits or deletes a message in one of the
// sandbox's chats, or someone in the page acts. The page long-polls for a
// new version.
type hub struct {
	mu      sync.Mutex
	version uint64
	changed chan struct{}
}

func newHub() *hub { return &hub{version: 1, changed: make(chan struct{})} }

func (h *hub) bump() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.version++
	close(h.changed)
	h.changed = make(chan struct{})
}

func (h *hub) current() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.version
}

// wait returns the version once it differs from since, or when ctx ends.
func (h *hub) wait(ctx context.Context, since uint64) uint64 {
	for {
		h.mu.Lock()
		v, changed := h.version, h.changed
		h.mu.Unlock()
		if v != since {
			return v
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return v
		}
	}
}

// watch bumps the version for every message the bot sends, edits or
// deletes in a chat, until ctx ends or the fake closes.
func (h *hub) watch(ctx context.Context, api *telegramtest.Server, chatID int64) {
	cursor := api.Cursor()
	for {
		// The cursor returned covers everything up to now: the page reads
		// the chat after this bump.
		next, err := api.WaitChange(ctx, cursor, chatID)
		if err != nil {
			return
		}
		cursor = next
		h.bump()
	}
}
