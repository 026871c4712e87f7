package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// ProcessorOptions tunes the processor.
type ProcessorOptions struct {
	Workers     int           // concurrent handlers; a chat's updates stay in order
	Batch       int           // most updates one worker handles in one transaction
	MaxAttempts int           // failures before an update is given up with an apology
	Idle        time.Duration // how often to look for work without a Wake
	// Observe, when set, is told of every handled update once its
	// transaction ends: how long the handler took and whether it failed.
	Observe func(elapsed time.Duration, failed bool)
}

// Processor handles recorded updates: each in the transaction that claims
// it, changes state, queues the replies and marks it processed. When many
// updates wait, a worker claims several (of different chats) and handles
// them in one transaction, so a burst costs one durable commit per batch
// rather than per update; when few wait, batches are of one and nothing
// waits to fill them.
type Processor struct {
	store    *storage.Store
	service  *Service
	decoders map[string]bot.Decoder
	logger   *slog.Logger
	opts     ProcessorOptions
	wake     chan struct{}
	// recent tells a worker whether updates of its batch's chats were
	// recorded while it held them.
	recent recentChats
	// afterCommit is told when replies were queued (the sender's Wake).
	afterCommit func()
	shed        shedNotices
}

// NewProcessor builds a processor. decoders maps a channel ("telegram") to
// the decoder of its raw updates.
func NewProcessor(store *storage.Store, service *Service, decoders map[string]bot.Decoder, afterCommit func(), opts ProcessorOptions) *Processor {
	if opts.Workers <= 0 {
		opts.Workers = 4
	}
	if opts.Batch <= 0 {
		// Every update of a batch waits for the whole batch to commit:
		// small batches, shared out among the workers, keep a burst's
		// latency down, and eight still makes a commit cheap per update.
		opts.Batch = 8
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 5
	}
	if opts.Idle <= 0 {
		opts.Idle = time.Second
	}
	if afterCommit == nil {
		afterCommit = func() {}
	}
	if opts.Observe == nil {
		opts.Observe = func(time.Duration, bool) {}
	}
	return &Processor{
		store: store, service: service, decoders: decoders, logger: service.logger, opts: opts,
		wake: make(chan struct{}, 1), afterCommit: afterCommit,
	}
}

// Wake tells the processor that updates of these chats (by their chat
// key) were recorded; call it after they are committed. Without chats it
// means any chat.
func (p *Processor) Wake(chats ...string) {
	if len(chats) == 0 {
		chats = nil
	}
	p.recent.add(chats)
	p.nudge()
}

// nudge lets one idle worker look for updates.
func (p *Processor) nudge() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Run handles updates until ctx is cancelled, then lets the updates in
// hand finish (their transactions use a context that outlives ctx briefly).
func (p *Processor) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range p.opts.Workers {
		wg.Go(func() { p.work(ctx) })
	}
	wg.Wait()
	return nil
}

func (p *Processor) work(ctx context.Context) {
	backoff := time.Duration(0)
	for ctx.Err() == nil {
		if err := p.noticeShedChats(context.WithoutCancel(ctx)); err != nil {
			p.logger.Warn("queueing the notices of shed updates failed", "error", err)
		}
		mark := p.recent.now()
		batch, followed, err := p.processBatch(context.WithoutCancel(ctx))
		claimed := len(batch)
		switch {
		case err != nil:
			// The database is unreachable or broken: the updates stay
			// recorded and are retried; back off so a dead database is
			// not hammered.
			backoff = min(max(2*backoff, 200*time.Millisecond), 30*time.Second)
			p.logger.Warn("processing updates failed", "error", err, "retry_in", backoff)
			sleep(ctx, backoff)
		case claimed > 0:
			backoff = 0
			full := claimed == p.opts.Batch
			if full {
				p.nudge() // more may be waiting: share it with another worker
			}
			// Look again at once only if something may be claimable now
			// that was not at the claim: more than the batch took, an
			// update that waited behind one of the batch's chats, or one
			// of its chats recorded meanwhile (whose Wake another worker
			// spent finding that chat locked). Updates of other chats
			// were claimable all along, and the worker their Wake woke
			// has them: looking anyway cost a claim and a rollback that
			// found nothing. (Another replica's recordings are not
			// counted: one that lands behind this batch's chat waits for
			// Idle.)
			if full || followed || p.recent.namedSince(mark, chatsOf(batch)) {
				continue
			}
			fallthrough
		default:
			select {
			case <-ctx.Done():
			case <-p.wake:
			case <-time.After(p.opts.Idle):
			}
		}
	}
}

// processBatch claims due updates and handles them in one transaction. It
// returns them and whether an update of one of their chats was waiting
// behind them; an error means the database failed.
//
// A handler that fails spoils the whole transaction, so the batch is rolled
// back: the others are claimed again at once, and the failed update is
// tried again alone at once, so a failure is only counted against an
// update that fails by itself (not, say, one that met a deadlock caused by
// its batch).
func (p *Processor) processBatch(ctx context.Context) (claimed []storage.InboxUpdate, followed bool, err error) {
	batch, took, err := p.inTx(ctx, func(tx *storage.Store) ([]storage.InboxUpdate, error) {
		return tx.ClaimUpdates(ctx, p.opts.Batch)
	})
	switch {
	case errors.As(err, new(*handlerError)):
		// The rest of the batch was rolled back and waits: look again.
		return batch, true, p.processAlone(ctx, batch[len(took)-1].ID)
	case errors.Is(err, storage.ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return batch, slices.ContainsFunc(batch, func(u storage.InboxUpdate) bool { return u.Followed }), nil
}

// chatsOf returns the set of a batch's chat keys.
func chatsOf(batch []storage.InboxUpdate) map[string]bool {
	chats := make(map[string]bool, len(batch))
	for _, u := range batch {
		chats[u.ChatKey] = true
	}
	return chats
}

// processAlone handles one given update in its own transaction, if it is
// still due, and records its failure if it fails.
func (p *Processor) processAlone(ctx context.Context, id int64) error {
	batch, took, err := p.inTx(ctx, func(tx *storage.Store) ([]storage.InboxUpdate, error) {
		u, err := tx.ClaimUpdate(ctx, id)
		return []storage.InboxUpdate{u}, err
	})
	var failed *handlerError
	switch {
	case errors.As(err, &failed):
		p.opts.Observe(took[0], true)
		return p.recordFailure(ctx, batch[0], failed.cause)
	case errors.Is(err, storage.ErrNotFound):
		return nil // taken by another worker, or not due any more
	}
	return err
}

// inTx claims updates (which marks them processed if the transaction
// commits) and handles them in one transaction, one after the other. It
// returns how long each handler that ran took: when a handler fails, it
// is the last one, and err is its error. After a commit it reports the
// timings and wakes the sender.
func (p *Processor) inTx(ctx context.Context, claim func(tx *storage.Store) ([]storage.InboxUpdate, error)) (batch []storage.InboxUpdate, took []time.Duration, err error) {
	err = p.store.InTx(ctx, func(tx *storage.Store) error {
		var err error
		if batch, err = claim(tx); err != nil {
			return err
		}
		for _, u := range batch {
			start := time.Now()
			err := p.handle(ctx, tx, u)
			took = append(took, time.Since(start))
			if err != nil {
				return &handlerError{cause: err}
			}
		}
		// Replies PostgreSQL refuses are the handlers' failure, not the
		// database's: retried alone, the update that queued them ends
		// with an apology instead of holding the batch up for ever.
		if err := tx.WriteQueued(ctx); err != nil {
			return &handlerError{cause: err}
		}
		return nil
	})
	if err == nil {
		for _, d := range took {
			p.opts.Observe(d, false)
		}
		p.afterCommit()
	}
	return batch, took, err
}

// handlerError is a handler's failure, as opposed to the database's.
type handlerError struct{ cause error }

func (e *handlerError) Error() string { return e.cause.Error() }
func (e *handlerError) Unwrap() error { return e.cause }

// handle decodes and handles one update, turning a panic into an error so
// one bad update cannot take the service down.
func (p *Processor) handle(ctx context.Context, tx *storage.Store, u storage.InboxUpdate) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
			p.logger.Error("handler panic", "update", u.UpdateID, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	dec, ok := p.decoders[u.Channel]
	if !ok {
		return fmt.Errorf("no decoder for channel %q", u.Channel)
	}
	ev, err := dec.Decode(u.Payload)
	if err != nil {
		return fmt.Errorf("decode update: %w", err)
	}
	if ev.Chat.ID == "" {
		return nil // nothing to answer (e.g. a membership change)
	}
	return p.service.Handle(ctx, tx, ev)
}

// recordFailure schedules a retry, or after MaxAttempts gives up with an
// apology to the person, so a poisoned update cannot block their chat.
func (p *Processor) recordFailure(ctx context.Context, u storage.InboxUpdate, cause error) error {
	attempt := u.Attempts + 1
	p.logger.Warn("update failed", "channel", u.Channel, "update", u.UpdateID, "attempt", attempt, "error", cause)
	if attempt < p.opts.MaxAttempts {
		delay := time.Duration(1<<attempt)*time.Second + time.Duration(rand.Int64N(int64(time.Second)))
		return p.store.RetryUpdate(ctx, u.ID, u.Attempts, delay, cause.Error())
	}
	err := p.store.InTx(ctx, func(tx *storage.Store) error {
		// Handled by another worker since (storage.RetryUpdate): the
		// person has their reply, not an apology.
		if failed, err := tx.FailUpdate(ctx, u.ID, u.Attempts, cause.Error()); !failed || err != nil {
			return err
		}
		return p.apologise(ctx, tx, u)
	})
	if err == nil {
		p.afterCommit()
	}
	return err
}

// apologise tells the person that their message could not be handled, and
// answers their button press if that is what it was.
func (p *Processor) apologise(ctx context.Context, tx *storage.Store, u storage.InboxUpdate) error {
	dec, ok := p.decoders[u.Channel]
	if !ok {
		return nil
	}
	ev, err := dec.Decode(u.Payload)
	if err != nil || ev.Chat.ID == "" {
		return nil
	}
	text := p.service.texts.text(languages[0], "error.internal")
	if ev.Button != nil {
		err := enqueue(ctx, tx, ev.Channel, bot.Outgoing{Kind: bot.KindAnswer, ChatID: ev.Chat.ID, QueryID: ev.Button.QueryID}, "")
		if err != nil {
			return err
		}
	}
	return enqueue(ctx, tx, ev.Channel, bot.Outgoing{Kind: bot.KindText, ChatID: ev.Chat.ID, Group: ev.Chat.Group, Text: text}, "")
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
