package bot_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// replaceInFlight queues first, starts the sender and, once first's
// delivery has started (the test's respond holds it), replaces it with
// then, as sealing does (handlers/seal.go).
func replaceInFlight(t *testing.T, w *senderWorld, first, then bot.Outgoing) (id int64) {
	t.Helper()
	w.fake.started = make(chan string, 10)
	w.enqueue(first)
	w.start()
	<-w.fake.started
	if err := w.store.DB().QueryRowContext(t.Context(), `SELECT id FROM outbox WHERE chat_id = $1`, first.ChatID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(then)
	if sent, err := w.store.ReplaceQueued(t.Context(), id, storage.OutboxEntry{Kind: string(then.Kind), Payload: payload}, nil); err != nil || sent != "" {
		t.Fatalf("ReplaceQueued = %q, %v", sent, err)
	}
	return id
}

// holding delays the delivery of o until release is closed.
func holding(o bot.Outgoing, release chan struct{}) func(bot.Outgoing, int) error {
	return func(d bot.Outgoing, try int) error {
		if d.ChatID == o.ChatID && d.Kind == o.Kind && d.Text == o.Text {
			<-release
		}
		return nil
	}
}

// deliveredTo returns what a chat got, in order.
func (w *senderWorld) deliveredTo(chat string) []bot.Outgoing {
	var got []bot.Outgoing
	for _, d := range w.fake.delivered(chat) {
		got = append(got, d.Out)
	}
	return got
}

// A message replaced while the sender delivers it (a ticket sealed as a
// denunciation while its card was on the way) is put right once
// delivered: a text is edited into the new version, and a photo, which
// cannot become a text, is deleted and the new version sent. An edit is
// put right where it went, which is a new message when the one to edit
// was gone (the fake answers every delivery with "m-" and its text).
func TestSenderCorrectsAMessageReplacedInFlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		sent, then bot.Outgoing
		want       []bot.Outgoing
	}{
		{
			name: "text",
			sent: bot.Outgoing{Kind: bot.KindText, ChatID: "T", Text: "card with the name"},
			then: bot.Outgoing{Kind: bot.KindText, ChatID: "T", Text: "sealed"},
			want: []bot.Outgoing{
				{Kind: bot.KindText, ChatID: "T", Text: "card with the name"},
				{Kind: bot.KindEdit, ChatID: "T", Text: "sealed", MessageID: "m-card with the name"},
			},
		},
		{
			name: "photo",
			sent: bot.Outgoing{Kind: bot.KindPhoto, ChatID: "P", FileID: "photo-1"},
			then: bot.Outgoing{Kind: bot.KindText, ChatID: "P", Text: "sealed"},
			want: []bot.Outgoing{
				{Kind: bot.KindPhoto, ChatID: "P", FileID: "photo-1"},
				{Kind: bot.KindDelete, ChatID: "P", MessageID: "m-"},
				{Kind: bot.KindText, ChatID: "P", Text: "sealed"},
			},
		},
		{
			name: "edit",
			sent: bot.Outgoing{Kind: bot.KindEdit, ChatID: "E", MessageID: "5", Text: "card with the name"},
			then: bot.Outgoing{Kind: bot.KindEdit, ChatID: "E", MessageID: "5", Text: "sealed"},
			want: []bot.Outgoing{
				{Kind: bot.KindEdit, ChatID: "E", MessageID: "5", Text: "card with the name"},
				{Kind: bot.KindEdit, ChatID: "E", Text: "sealed", MessageID: "m-card with the name"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			w := newSenderWorld(t, fast(bot.SenderOptions{}), holding(tc.sent, release))
			id := replaceInFlight(t, w, tc.sent, tc.then)
			close(release)

			w.waitUntil(10*time.Second, "the correction", func() bool {
				return len(w.fake.delivered(tc.sent.ChatID)) >= len(tc.want) && w.backlogEmpty()
			})
			if diff := cmp.Diff(tc.want, w.deliveredTo(tc.sent.ChatID)); diff != "" {
				t.Errorf("deliveries (-want +got):\n%s", diff)
			}
			var status, messageID string
			if err := w.store.DB().QueryRowContext(t.Context(), `SELECT status, sent_message_id FROM outbox WHERE id = $1`, id).
				Scan(&status, &messageID); err != nil {
				t.Fatal(err)
			}
			if status != "sent" || messageID != "m-"+tc.sent.Text {
				t.Errorf("the replaced message is %s as %q, want sent as the one delivered", status, messageID)
			}
		})
	}
}

// A correction the database refuses for a moment (a dropped connection)
// is tried again, as a mark is: given up, the card delivered before the
// seal would stay in the chat as it was.
func TestSenderRetriesCorrectingAMessageReplacedInFlight(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	card := bot.Outgoing{Kind: bot.KindText, ChatID: "T", Text: "card with the name"}
	w := newSenderWorld(t, fast(bot.SenderOptions{Lease: time.Second, DeliveryTimeout: 500 * time.Millisecond}), holding(card, release))
	replaceInFlight(t, w, card, bot.Outgoing{Kind: bot.KindText, ChatID: "T", Text: "sealed"})
	// The replaced message's mark changes no row; the first write that
	// records a delivery is then the correction's.
	failMarks(t, w, 1)
	close(release)

	w.waitUntil(10*time.Second, "the correction", func() bool {
		return len(w.fake.delivered("T")) >= 2 && w.backlogEmpty()
	})
	want := []bot.Outgoing{card, {Kind: bot.KindEdit, ChatID: "T", Text: "sealed", MessageID: "m-card with the name"}}
	if diff := cmp.Diff(want, w.deliveredTo("T")); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}

// A message delivered twice (its lease ran out while a first delivery
// hung) whose second delivery was recorded after an erasure had chosen
// the copy to keep of it: the row holds that copy, not the message. The
// first delivery's duplicate is deleted, not edited into the copy (a
// sealed notice for a petition nobody sealed, or nothing at all).
func TestSenderDeletesADuplicateWhoseRowHoldsOnlyItsKeptCopy(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	card := bot.Outgoing{Kind: bot.KindText, ChatID: "T", Text: "card with the name"}
	w := newSenderWorld(t, fast(bot.SenderOptions{}), holding(card, release))
	w.fake.started = make(chan string, 10)
	w.enqueue(card)
	w.start()
	<-w.fake.started
	// The erasure (its withdrawal of the phone bumps the revision), then
	// the other delivery's record.
	var id int64
	if err := w.store.DB().QueryRowContext(t.Context(), `UPDATE outbox SET revision = revision + 1,
		kept_copy = '{"kind": "edit", "text": "sealed notice", "presealed": true}' WHERE chat_id = 'T' RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if replaced, err := w.store.MarkOutboxSent(t.Context(), storage.SentMark{ID: id, MessageID: "m-other", Revision: 1}); err != nil || len(replaced) != 0 {
		t.Fatalf("setup: the other delivery was not recorded (%v)", err)
	}
	close(release)

	w.waitUntil(10*time.Second, "the duplicate's deletion", func() bool {
		return len(w.fake.delivered("T")) >= 2 && w.backlogEmpty()
	})
	want := []bot.Outgoing{card, {Kind: bot.KindDelete, ChatID: "T", MessageID: "m-card with the name"}}
	if diff := cmp.Diff(want, w.deliveredTo("T")); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
}
