package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/handlers"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// world drives the handlers directly with events, each handled in its own
// transaction as the processor does, and reads what they queued.
type world struct {
	t       *testing.T
	ctx     context.Context
	store   *storage.Store
	raw     *sqlx.DB
	service *handlers.Service
	now     time.Time
	update  int64
	lastOut int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := openWorld(t)
	w.t = t
	return w
}

// openWorld creates the world's database for tb, which may be a fuzz
// target's *testing.F; the caller sets w.t before driving it.
func openWorld(tb testing.TB) *world {
	tb.Helper()
	ctx := context.Background()
	dsn := storagetest.NewDatabase(tb)
	store, err := storage.Open(ctx, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { store.Close() })
	raw := sqlx.MustOpen("postgres", dsn)
	tb.Cleanup(func() { raw.Close() })
	w := &world{ctx: ctx, store: store, raw: raw, now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)}
	w.service, err = handlers.New(handlers.Config{Now: func() time.Time { return w.now }})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// citizen is a person in a private chat.
type citizen struct {
	w    *world
	id   string
	name string
}

func (w *world) citizen(id int) *citizen {
	return &citizen{w: w, id: fmt.Sprint(id), name: fmt.Sprintf("Người dân %d", id)}
}

func (c *citizen) event() bot.Event {
	c.w.update++
	return bot.Event{Channel: "telegram", UpdateID: c.w.update, Chat: bot.Chat{ID: c.id},
		From: bot.User{ID: c.id, Name: c.name}, MessageID: fmt.Sprint(c.w.update), Time: c.w.now}
}

// handle runs one event through the handlers in a transaction.
func (w *world) handle(ev bot.Event) {
	w.t.Helper()
	err := w.store.InTx(w.ctx, func(tx *storage.Store) error { return w.service.Handle(w.ctx, tx, ev) })
	if err != nil {
		w.t.Fatalf("handle %+v: %v", ev, err)
	}
}

func (c *citizen) says(text string) []bot.Outgoing {
	ev := c.event()
	ev.Text = text
	if strings.HasPrefix(text, "/") {
		cmd, args, _ := strings.Cut(text[1:], " ")
		ev.Command, ev.Args, ev.Text = cmd, strings.TrimSpace(args), ""
	}
	c.w.handle(ev)
	return c.w.sent()
}

func (c *citizen) sends(mutate func(*bot.Event)) []bot.Outgoing {
	ev := c.event()
	mutate(&ev)
	c.w.handle(ev)
	return c.w.sent()
}

// presses taps the button whose label contains label on the last message
// from the bot that has it.
func (c *citizen) presses(label string) []bot.Outgoing {
	c.w.t.Helper()
	msgID, data := c.w.findButton(c.id, label)
	return c.pressData(msgID, data)
}

func (c *citizen) pressData(messageID, data string) []bot.Outgoing {
	ev := c.event()
	ev.Button = &bot.Button{QueryID: "q" + fmt.Sprint(c.w.update), Data: data, MessageID: messageID}
	c.w.handle(ev)
	return c.w.sent()
}

// sent returns the messages queued since the last call.
func (w *world) sent() []bot.Outgoing {
	w.t.Helper()
	var rows []struct {
		ID      int64  `db:"id"`
		Payload []byte `db:"payload"`
	}
	if err := w.raw.Select(&rows, `SELECT id, payload FROM outbox WHERE id > $1 ORDER BY id`, w.lastOut); err != nil {
		w.t.Fatal(err)
	}
	out := make([]bot.Outgoing, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal(r.Payload, &out[i]); err != nil {
			w.t.Fatal(err)
		}
		w.lastOut = r.ID
	}
	return out
}

// findButton searches all queued messages to a chat, newest first, for a
// button; the message id is the outbox row's, standing in for the
// messenger's (edits of a message keep the id they target).
func (w *world) findButton(chat, label string) (string, string) {
	w.t.Helper()
	var rows []struct {
		ID      int64  `db:"id"`
		Payload []byte `db:"payload"`
	}
	if err := w.raw.Select(&rows, `SELECT id, payload FROM outbox WHERE chat_id = $1 ORDER BY id DESC`, chat); err != nil {
		w.t.Fatal(err)
	}
	for _, r := range rows {
		var o bot.Outgoing
		if err := json.Unmarshal(r.Payload, &o); err != nil {
			w.t.Fatal(err)
		}
		for _, row := range o.Buttons {
			for _, b := range row {
				if strings.Contains(b.Text, label) {
					id := fmt.Sprint(r.ID)
					if o.Kind == bot.KindEdit {
						id = o.MessageID
					}
					return id, b.Data
				}
			}
		}
	}
	w.t.Fatalf("no button %q in chat %s", label, chat)
	return "", ""
}

// texts joins the texts of messages for assertions.
func texts(out []bot.Outgoing) string {
	var b strings.Builder
	for _, o := range out {
		b.WriteString(o.Text)
		b.WriteString("\n")
		for _, row := range o.Buttons {
			for _, btn := range row {
				b.WriteString("[" + btn.Text + "]")
			}
		}
	}
	return b.String()
}

func mustContain(t *testing.T, out []bot.Outgoing, want ...string) {
	t.Helper()
	got := texts(out)
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Fatalf("reply does not contain %q:\n%s", w, got)
		}
	}
}

func (w *world) count(query string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.raw.Get(&n, query, args...); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *world) exec(query string, args ...any) {
	w.t.Helper()
	if _, err := w.raw.Exec(query, args...); err != nil {
		w.t.Fatal(err)
	}
}
