package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// allowedUpdates are the update types danvan handles, for getUpdates and
// setWebhook alike.
var allowedUpdates = []string{"message", "edited_message", "callback_query", "my_chat_member"}

// PollerOptions tune a Poller. Zero values take the defaults.
type PollerOptions struct {
	// Timeout is how long Telegram holds a getUpdates call open when there
	// is nothing to deliver; default 25s. Whole seconds.
	Timeout time.Duration
	// MinInterval is the pause after an empty answer; default 200ms. A
	// server that answers at once instead of holding the call (the
	// telegram-test-api emulator ignores timeout) would otherwise be
	// polled thousands of times a second.
	MinInterval time.Duration
	// MaxBackoff caps the wait between failed calls; default 30s.
	MaxBackoff time.Duration
	// StallTimeout bounds a call that should be answered at once: after
	// a batch the poller asks without holding (timeout 0), and a call
	// not answered within StallTimeout is abandoned and made again;
	// default 5s. Without it a network stall would hold up intake for as
	// long as a long poll, and a pressed button's answer would come
	// after Telegram's 15 s.
	StallTimeout time.Duration
	// QuietReset is how long without updates before the poller asks
	// without an offset, from the earliest update not yet confirmed;
	// default 6 days. After a week without updates Telegram numbers the
	// next one from a random start, which may be below the offset held:
	// asked with it, that update would never be confirmed, or never
	// given. Everything received was confirmed by the first empty call.
	QuietReset time.Duration
	// StandbyPoll is how often a standby poller tries to take over, and
	// how often the one polling checks that it still may; default 1s.
	StandbyPoll time.Duration
}

// Poller receives updates by long polling. Unlike the library's
// GetUpdatesChan it confirms a batch only after it was recorded, backs off
// with jitter and honours retry_after, and stops at once when its context
// ends.
type Poller struct {
	client *Client
	store  *storage.Store
	record RecordFunc
	logger *slog.Logger
	opts   PollerOptions
}

// NewPoller builds a poller that hands every batch to record. The store
// elects the one poller of all the processes sharing it.
func NewPoller(c *Client, store *storage.Store, record RecordFunc, logger *slog.Logger, opts PollerOptions) *Poller {
	if opts.Timeout <= 0 {
		opts.Timeout = 25 * time.Second
	}
	if opts.MinInterval <= 0 {
		opts.MinInterval = 200 * time.Millisecond
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = 30 * time.Second
	}
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = 5 * time.Second
	}
	if opts.QuietReset <= 0 {
		opts.QuietReset = 6 * 24 * time.Hour
	}
	if opts.StandbyPoll <= 0 {
		opts.StandbyPoll = time.Second
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Poller{client: c, store: store, record: record, logger: logger, opts: opts}
}

// Run polls until ctx ends; it returns nil then. It returns an error only
// when polling cannot work at all (the token was revoked).
//
// Telegram answers one getUpdates caller at a time (another gets 409
// Conflict), so of several processes sharing a database one polls and the
// others stand by, taking over within StandbyPoll when it stops or dies.
func (p *Poller) Run(ctx context.Context) error {
	return bot.WhileLeading(ctx, p.store, "poller:"+Channel, p.opts.StandbyPoll, p.logger,
		func(ctx context.Context, lead *storage.Lead) error {
			watched, stop := bot.WatchLead(ctx, lead, p.opts.StandbyPoll, p.logger)
			defer stop()
			return p.poll(watched)
		})
}

// poll polls until ctx ends, and returns nil then.
//
// The offset of a recorded batch is confirmed by the next call. Updates
// fetched but not recorded, or recorded but not yet confirmed when the
// process stops (or another process takes over), are delivered again; the
// inbox ignores those it has.
func (p *Poller) poll(ctx context.Context) error {
	var (
		offset    int64
		failures  int
		busy      bool      // the last call brought updates: more may wait
		abandoned time.Time // when a stalled call was last given up
		lastBatch = time.Now()
	)
	for {
		if offset != 0 && !busy && time.Since(lastBatch) > p.opts.QuietReset {
			p.logger.Info("telegram: no updates for a while; asking from the earliest unconfirmed one", "quiet_for", p.opts.QuietReset)
			offset = 0
		}
		batch, err := p.getUpdates(ctx, offset, busy)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil && busy && errors.Is(err, context.DeadlineExceeded):
			// Stalled: ask again at once. The abandoned call may still
			// reach Telegram later; it confirms nothing new, and it ends
			// the call then open with a conflict (below).
			abandoned = time.Now()
			p.logger.Warn("telegram: getUpdates stalled; asking again", "after", p.opts.StallTimeout)
			continue
		case err != nil && isAPIError(err, http.StatusConflict, "other getUpdates") && time.Since(abandoned) < p.opts.Timeout+p.client.timeout:
			p.logger.Info("telegram: getUpdates ended by a call this poller had abandoned; asking again")
			continue
		case err != nil && isAPIError(err, http.StatusConflict, "webhook is active") && p.deleteWebhook(ctx):
			continue
		case err != nil:
			busy = false
			wait, err := p.pause(err, failures)
			if err != nil {
				return err
			}
			failures++
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		updates, next := p.parse(batch, offset)
		if len(updates) == 0 {
			failures = 0
			if !busy && !sleep(ctx, p.opts.MinInterval) {
				return nil
			}
			busy = false
			continue
		}
		if err := p.record(ctx, updates); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait := bot.Backoff(failures, 250*time.Millisecond, p.opts.MaxBackoff)
			failures++
			p.logger.Warn("telegram: recording updates failed; they will be fetched again",
				"updates", len(updates), "error", err, "retry_in", wait)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		failures, busy = 0, true
		offset, lastBatch = next, time.Now()
	}
}

// getUpdates fetches the updates after offset, confirming those before it.
// It reads them raw so the inbox keeps every field, including those newer
// than the library. A busy call is not held open by the server, and is
// given StallTimeout; an idle one is a long poll.
func (p *Poller) getUpdates(ctx context.Context, offset int64, busy bool) ([]json.RawMessage, error) {
	allowed, _ := json.Marshal(allowedUpdates)
	hold, deadline := p.opts.Timeout, p.opts.Timeout+p.client.timeout
	if busy {
		hold, deadline = 0, p.opts.StallTimeout
	}
	params := tgbotapi.Params{
		"limit":           "100",
		"timeout":         strconv.Itoa(int(hold / time.Second)),
		"allowed_updates": string(allowed),
	}
	params.AddNonZero64("offset", offset)
	result, err := p.client.request(ctx, deadline, "getUpdates", params)
	if err != nil {
		return nil, err
	}
	var batch []json.RawMessage
	if err := json.Unmarshal(result, &batch); err != nil {
		return nil, fmt.Errorf("telegram: getUpdates: %w", err)
	}
	return batch, nil
}

// parse prepares a batch for the inbox and returns the offset that
// confirms it: one past the highest update in the batch, even below the
// offset asked with. Telegram gives updates from a new, random start
// after a week without any, and a server may ignore offset (the
// emulator does); an offset kept above them would leave them
// unconfirmed, given again and again.
func (p *Poller) parse(batch []json.RawMessage, offset int64) ([]storage.IncomingUpdate, int64) {
	updates := make([]storage.IncomingUpdate, 0, len(batch))
	next := int64(0)
	for _, raw := range batch {
		u, ok := incoming(raw)
		if !ok {
			p.logger.Warn("telegram: skipping an update without update_id")
			continue
		}
		updates = append(updates, u)
		next = max(next, u.UpdateID+1)
	}
	if next == 0 {
		next = offset
	}
	return updates, next
}

// deleteWebhook deletes a webhook that keeps getUpdates from answering,
// and reports whether it did. Start deletes an earlier deployment's; should
// that have failed, this replica, set to poll, does it now, or it would
// never hear a thing.
func (p *Poller) deleteWebhook(ctx context.Context) bool {
	if err := p.client.DeleteWebhook(ctx); err != nil {
		p.logger.Warn("telegram: a webhook is set and could not be deleted", "error", err)
		return false
	}
	p.logger.Warn("telegram: a webhook was set; deleted it to poll")
	return true
}

// pause decides how long to wait after a failed getUpdates, or that
// polling cannot go on.
func (p *Poller) pause(err error, failures int) (time.Duration, error) {
	wait := bot.Backoff(failures, 250*time.Millisecond, p.opts.MaxBackoff)
	var e *apiError
	errors.As(err, &e)
	switch {
	case e != nil && e.Code == http.StatusUnauthorized:
		return 0, fmt.Errorf("telegram: polling stopped, the bot token was rejected: %w", err)
	case e != nil && e.Code == http.StatusTooManyRequests:
		wait = max(e.RetryAfter, time.Second)
		p.logger.Warn("telegram: getUpdates flood control", "retry_after", wait)
	case e != nil && e.Code == http.StatusConflict:
		p.logger.Error("telegram: getUpdates conflict: another process polls this bot, or a webhook is set "+
			"(polling and webhooks exclude each other; delete the webhook or stop the other instance)",
			"description", e.Description, "retry_in", wait)
	default:
		p.logger.Warn("telegram: getUpdates failed", "error", err, "retry_in", wait)
	}
	return wait, nil
}
