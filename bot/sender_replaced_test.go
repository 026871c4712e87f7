package bot_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// A message replaced while the sender delivers it (a ticket sealed as a
// denunciation while its card was on the way) is put right once
// delivered: a text is edited into the new version, and a photo, which
// cannot become a text, is deleted and the new version sent.
func TestSenderCorrectsAMessageReplacedInFlight(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		sent bot.Outgoing
		want []bot.Outgoing
	}{
		{
			name: "text",
			sent: bot.Outgoing{Kind: bot.KindText, ChatID: "T", Text: "card with the name"},
			want: []bot.Outgoing{
				{Kind: bot.KindText, ChatID: "T", Text: "card with the name"},
				{Kind: bot.KindEdit, ChatID: "T", Text: "sealed", MessageID: "m-card with the name"},
			},
		},
		{
			name: "photo",
			sent: bot.Outgoing{Kind: bot.KindPhoto, ChatID: "P", FileID: "photo-1"},
			want: []bot.Outgoing{
				{Kind: bot.KindPhoto, ChatID: "P", FileID: "photo-1"},
				{Kind: bot.KindDelete, ChatID: "P", MessageID: "m-"},
				{Kind: bot.KindText, ChatID: "P", Text: "sealed"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			w := newSenderWorld(t, fast(bot.SenderOptions{}), func(o bot.Outgoing, try int) error {
				if o.ChatID == tc.sent.ChatID && o.Kind == tc.sent.Kind && o.Text == tc.sent.Text {
					<-release
				}
				return nil
			})
			w.fake.started = make(chan string, 10)
			w.enqueue(tc.sent)
			w.start()
			<-w.fake.started

			var id int64
			if err := w.store.DB().QueryRowContext(t.Context(), `SELECT id FROM outbox WHERE chat_id = $1`, tc.sent.ChatID).Scan(&id); err != nil {
				t.Fatal(err)
			}
			sealed := bot.Outgoing{Kind: bot.KindText, ChatID: tc.sent.ChatID, Text: "sealed"}
			payload, _ := json.Marshal(sealed)
			if sent, err := w.store.ReplaceQueued(t.Context(), id, storage.OutboxEntry{Kind: string(sealed.Kind), Payload: payload}); err != nil || sent != "" {
				t.Fatalf("ReplaceQueued = %q, %v", sent, err)
			}
			close(release)

			w.waitUntil(10*time.Second, "the correction", func() bool {
				return len(w.fake.delivered(tc.sent.ChatID)) >= len(tc.want) && w.backlogEmpty()
			})
			var got []bot.Outgoing
			for _, d := range w.fake.delivered(tc.sent.ChatID) {
				got = append(got, d.Out)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
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
