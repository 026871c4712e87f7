package handlers_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
)

// eventDecoder decodes updates recorded as JSON events, and logs the order
// in which each chat's updates were decoded. An update whose text is
// "poison" fails to decode twice (as a malformed update would), then
// decodes, so the apology for it can be written. One whose text is "hold"
// is decoded only once release is closed, after telling holding.
type eventDecoder struct {
	mu      sync.Mutex
	order   map[string][]int64
	holding chan struct{}
	release chan struct{}
}

func (d *eventDecoder) Decode(raw json.RawMessage) (bot.Event, error) {
	var ev bot.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return ev, err
	}
	if ev.Text == "hold" {
		d.holding <- struct{}{}
		<-d.release
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.order[ev.Chat.ID] = append(d.order[ev.Chat.ID], ev.UpdateID)
	if ev.Text == "poison" && len(d.order[ev.Chat.ID]) <= 2 {
		return ev, errors.New("poisoned update")
	}
	return ev, nil
}

type processorRig struct {
	tb      testing.TB
	ctx     context.Context
	store   *storage.Store
	raw     *sqlx.DB
	decoder *eventDecoder
	proc    *handlers.Processor
	stop    func()
	lastID  int64
	chats   []string // the chat of every update recorded since the last wake
}

func newProcessorRig(tb testing.TB, opts handlers.ProcessorOptions) *processorRig {
	tb.Helper()
	w := openWorld(tb)
	service, err := handlers.New(handlers.Config{})
	if err != nil {
		tb.Fatal(err)
	}
	dec := &eventDecoder{order: map[string][]int64{}, holding: make(chan struct{}, 1), release: make(chan struct{})}
	proc := handlers.NewProcessor(w.store, service, map[string]bot.Decoder{"test": dec}, nil, opts)
	return &processorRig{tb: tb, ctx: w.ctx, store: w.store, raw: w.raw, decoder: dec, proc: proc}
}

// record stores updates: each text from each of chats private chats,
// interleaved as they would arrive.
func (r *processorRig) record(chats int, texts ...string) int {
	r.tb.Helper()
	var batch []storage.IncomingUpdate
	for _, text := range texts {
		for c := range chats {
			r.lastID++
			id := r.lastID
			chat := fmt.Sprint(1000 + c)
			ev := bot.Event{Channel: "test", UpdateID: id, Chat: bot.Chat{ID: chat},
				From: bot.User{ID: chat, Name: "Người dân"}, MessageID: fmt.Sprint(id), Time: time.Now()}
			if text[0] == '/' {
				ev.Command = text[1:]
			} else {
				ev.Text = text
			}
			payload, _ := json.Marshal(ev)
			batch = append(batch, storage.IncomingUpdate{UpdateID: id, ChatKey: chat, Payload: payload})
		}
	}
	for chunk := range slices.Chunk(batch, 500) {
		if _, err := r.store.RecordUpdates(r.ctx, "test", chunk, 0); err != nil {
			r.tb.Fatal(err)
		}
		for _, u := range chunk {
			r.chats = append(r.chats, u.ChatKey)
		}
	}
	return len(batch)
}

func (r *processorRig) start() {
	ctx, cancel := context.WithCancel(r.ctx)
	done := make(chan struct{})
	go func() { r.proc.Run(ctx); close(done) }()
	r.wake()
	r.stop = func() { cancel(); <-done }
	r.tb.Cleanup(r.stop)
}

// wake tells the processor of the updates recorded since the last wake,
// as the recorder does.
func (r *processorRig) wake() {
	r.proc.Wake(r.chats...)
	r.chats = nil
}

// waitHandled waits until n updates are processed or failed for good.
func (r *processorRig) waitHandled(n int, within time.Duration) {
	r.tb.Helper()
	deadline := time.Now().Add(within)
	for {
		var done int
		if err := r.raw.Get(&done, `SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL OR failed_at IS NOT NULL`); err != nil {
			r.tb.Fatal(err)
		}
		if done >= n {
			return
		}
		if time.Now().After(deadline) {
			r.tb.Fatalf("%d of %d updates handled after %v", done, n, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestProcessorHandlesEachUpdateOnceAndInOrderPerChat(t *testing.T) {
	t.Parallel()
	r := newProcessorRig(t, handlers.ProcessorOptions{Workers: 4, Batch: 8})
	n := r.record(40, "/start", "/help", "/start", "/help")
	r.start()
	r.waitHandled(n, 30*time.Second)

	var processed int
	r.raw.Get(&processed, `SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL AND attempts = 0`)
	if processed != n {
		t.Fatalf("%d of %d updates processed at the first attempt", processed, n)
	}
	// Every update was answered, and none twice: each chat got the same
	// number of messages.
	var perChat []int
	r.raw.Select(&perChat, `SELECT count(*) FROM outbox GROUP BY chat_id`)
	if len(perChat) != 40 || slices.Min(perChat) != slices.Max(perChat) || slices.Min(perChat) < 4 {
		t.Fatalf("messages per chat: %v", perChat)
	}
	for chat, order := range r.decoder.order {
		if !slices.IsSorted(order) {
			t.Fatalf("chat %s handled out of order: %v", chat, order)
		}
	}
}

// A chat's updates are claimed one at a time, each after the previous
// commits. The worker goes straight on to the next rather than waiting
// for a Wake that will not come (they were all recorded at once) or for
// its idle poll, which here is longer than the test.
func TestProcessorHandlesUpdatesQueuedInAChatWithoutWaiting(t *testing.T) {
	t.Parallel()
	r := newProcessorRig(t, handlers.ProcessorOptions{Workers: 2, Batch: 8, Idle: time.Hour})
	n := r.record(2, "/start", "/help", "/start", "/help", "/start")
	r.start()
	r.waitHandled(n, 20*time.Second)
	for chat, order := range r.decoder.order {
		if len(order) != 5 || !slices.IsSorted(order) {
			t.Fatalf("chat %s handled %v", chat, order)
		}
	}
}

// An update recorded for a chat while a worker's batch holds that chat
// cannot be claimed by the worker its Wake wakes; the holding worker
// claims it after its commit, without waiting for its idle poll (here
// longer than the test), while updates of other chats go to the other.
func TestProcessorClaimsAChatsUpdateRecordedWhileItsBatchHeldIt(t *testing.T) {
	t.Parallel()
	r := newProcessorRig(t, handlers.ProcessorOptions{Workers: 2, Batch: 8, Idle: time.Hour})
	n := r.record(1, "hold")
	r.start()
	<-r.decoder.holding
	n += r.record(2, "/help")
	r.wake()
	r.waitHandled(1, 10*time.Second) // the other chat's, by the other worker
	close(r.decoder.release)
	r.waitHandled(n, 10*time.Second)
	if order := r.decoder.order["1000"]; len(order) != 2 || !slices.IsSorted(order) {
		t.Fatalf("the held chat's updates were handled as %v", order)
	}
}

func TestProcessorPoisonedUpdateDoesNotSpoilItsBatch(t *testing.T) {
	t.Parallel()
	r := newProcessorRig(t, handlers.ProcessorOptions{Workers: 1, Batch: 16, MaxAttempts: 1})
	n := r.record(10, "/start")
	poison, _ := json.Marshal(bot.Event{Channel: "test", UpdateID: 999, Chat: bot.Chat{ID: "77"},
		From: bot.User{ID: "77"}, Text: "poison"})
	r.store.RecordUpdates(r.ctx, "test", []storage.IncomingUpdate{{UpdateID: 999, ChatKey: "77", Payload: poison}}, 0)
	n += r.record(10, "/help")
	r.start()
	r.waitHandled(n+1, 30*time.Second)

	var processed, failed int
	r.raw.Get(&processed, `SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL`)
	r.raw.Get(&failed, `SELECT count(*) FROM inbox WHERE failed_at IS NOT NULL AND update_id = 999`)
	if processed != n || failed != 1 {
		t.Fatalf("processed %d of %d, poisoned update failed %d times", processed, n, failed)
	}
	// The poisoned chat was told, once. Its update failed in its batch, then
	// alone, and was decoded a third time for the apology.
	var apologies int
	r.raw.Get(&apologies, `SELECT count(*) FROM outbox WHERE chat_id = '77'`)
	if apologies != 1 || len(r.decoder.order["77"]) != 3 {
		t.Fatalf("apologies %d, poisoned decodes %v", apologies, r.decoder.order["77"])
	}
}

// BenchmarkProcessor measures handled updates per second for a burst from
// many chats. Against a durable server (TEST_DATABASE_URL) it shows the
// effect of batching on commits.
func BenchmarkProcessor(b *testing.B) {
	for _, batch := range []int{1, 32} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			r := newProcessorRig(b, handlers.ProcessorOptions{Workers: 4, Batch: batch})
			n := r.record(max(1, b.N/2), "/start", "/help")
			b.ResetTimer()
			r.start()
			r.waitHandled(n, 10*time.Minute)
			b.StopTimer()
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "updates/s")
		})
	}
}
