package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode/utf16"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// RecordFunc durably stores received updates. The poller confirms updates
// to Telegram, and the webhook answers 200, only after it returned nil:
// an update is never lost between Telegram and the inbox.
type RecordFunc func(ctx context.Context, updates []storage.IncomingUpdate) error

// recordTimeout bounds one write of the inbox.
const recordTimeout = 10 * time.Second

// RecorderOptions says what a Recorder tells and how much a chat may queue
// and send.
type RecorderOptions struct {
	// ChatBacklog is how many updates of one chat may wait to be handled
	// before the next are shed (storage.RecordUpdates); 0: no limit.
	ChatBacklog int
	// ChatRate is how many updates a minute one chat may send before the
	// next are shed (bot.IntakeLimit); 0: no limit.
	ChatRate int
	// Recorded is called with the chat keys of the updates written, if
	// any was new (the processor's Wake).
	Recorded func(chats ...string)
	// Shed is called with how many updates a write shed, if any: those
	// over ChatRate and those over ChatBacklog.
	Shed func(overRate, overBacklog int)
}

// Recorder records updates in the inbox and tells opts' callbacks.
//
// Calls that arrive together share one write (group commit): webhook
// requests come one update each, and a durable commit per update would
// cap intake at the disk's commit rate. A call made while no write is in
// progress is written at once, so nothing waits for a batch to fill.
func Recorder(store *storage.Store, opts RecorderOptions) RecordFunc {
	g := &groupRecorder{store: store, opts: opts, intake: bot.NewIntakeLimit(opts.ChatRate)}
	return g.record
}

type groupRecorder struct {
	store  *storage.Store
	opts   RecorderOptions
	intake *bot.IntakeLimit

	mu      sync.Mutex
	queue   []recordCall
	writing bool
}

type recordCall struct {
	updates []storage.IncomingUpdate
	done    chan error
}

func (g *groupRecorder) record(ctx context.Context, updates []storage.IncomingUpdate) (err error) {
	updates = g.judgeRate(updates)
	defer func() {
		if err != nil {
			g.giveBack(updates)
		}
	}()
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

// judgeRate returns a copy of updates with those over their chat's
// CHAT_RATE marked (bot.IntakeLimit), a message by when it was sent.
// Updates without a chat (a poll's answer) are no one's flood.
func (g *groupRecorder) judgeRate(updates []storage.IncomingUpdate) []storage.IncomingUpdate {
	judged := slices.Clone(updates)
	now := time.Now()
	for i, u := range judged {
		judged[i].OverRate = u.ChatID != "" && !g.intake.Take(u.ChatKey, u.SentAt, now)
	}
	return judged
}

// giveBack returns the tokens judgeRate took for updates whose write
// failed: they come again.
func (g *groupRecorder) giveBack(updates []storage.IncomingUpdate) {
	for _, u := range updates {
		if u.ChatID != "" && !u.OverRate {
			g.intake.GiveBack(u.ChatKey)
		}
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
		r, err := g.store.RecordUpdates(writeCtx, Channel, updates, g.opts.ChatBacklog)
		cancel()
		if err == nil && r.New > 0 && g.opts.Recorded != nil {
			g.opts.Recorded(chatKeys(updates)...)
		}
		if err == nil && r.Shed > 0 && g.opts.Shed != nil {
			g.opts.Shed(r.ShedOverRate, r.Shed-r.ShedOverRate)
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
	chat, from := h.chatAndSender()
	return storage.IncomingUpdate{
		UpdateID: *h.UpdateID, ChatKey: h.chatKey(), ChatID: idOf(chat), UserID: idOf(from), SentAt: h.sentAt(), Payload: forJSONB(raw),
	}, true
}

// forJSONB rewrites the escapes of a raw update that PostgreSQL's jsonb
// refuses: a NUL (\u0000) is dropped, as the handlers drop NULs from what
// they read anyway, and half of a surrogate pair becomes U+FFFD, as Go's
// decoder reads it. One such update would otherwise fail its whole batch
// on every try, and intake would never get past it.
func forJSONB(raw []byte) []byte {
	// Telegram escapes every non-ASCII letter (\u1ec7), so look first for
	// the only escapes that need rewriting: a NUL, or a surrogate (\ud800
	// to \udfff, in either case).
	if !bytes.Contains(raw, []byte(`\u0000`)) && !bytes.Contains(raw, []byte(`\ud`)) && !bytes.Contains(raw, []byte(`\uD`)) {
		return raw
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' || i+1 >= len(raw) {
			out = append(out, raw[i])
			continue
		}
		r, ok := escapedRune(raw[i:])
		switch {
		case !ok: // another escape, such as \\ before a "u0000" that is text
			out = append(out, raw[i], raw[i+1])
			i++
			continue
		case r == 0:
		case utf16.IsSurrogate(r):
			low, ok := escapedRune(raw[i+6:])
			if r < 0xdc00 && ok && 0xdc00 <= low && low < 0xe000 {
				out = append(out, raw[i:i+12]...) // a whole pair
				i += 6
				break
			}
			out = append(out, `\ufffd`...)
		default:
			out = append(out, raw[i:i+6]...)
		}
		i += 5
	}
	return out
}

// escapedRune reads a \uXXXX escape at the start of b.
func escapedRune(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(n), err == nil
}
