package telegram_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage"
)

// A card queued for a unit's group that has meanwhile become a supergroup
// is delivered to the supergroup (Messenger.Deliver), and the outbox
// records it there, with the supergroup's message id. Whatever later acts
// on that delivered message goes through the outbox row: sealing a ticket
// found to be a denunciation (handlers/seal.go) edits its cards and
// deletes its photos with the row's chat id and sent_message_id. The edit
// and the deletion reach the message that was delivered, in the
// supergroup, rather than a new message (the edit) or nothing (the
// deletion) while the card and the photo stay there to read (law.md §5).
func TestAMessageDeliveredToTheSupergroupCanBeEditedAndDeletedLater(t *testing.T) {
	t.Parallel()
	srv := newFake(t, telegramtest.Config{})
	const group, supergroup = -4101, -1004101
	if err := srv.AddChat(telegramtest.GroupChat(group, "Tổ tiếp dân")); err != nil {
		t.Fatal(err)
	}
	if err := srv.MigrateChat(group, supergroup); err != nil {
		t.Fatal(err)
	}
	store := openStore(t)
	enqueue := func(o bot.Outgoing, key string) {
		t.Helper()
		if o.ChatID == "" {
			o.ChatID = strconv.FormatInt(group, 10)
		}
		o.Group = true
		payload, _ := json.Marshal(o)
		if err := store.Enqueue(t.Context(), telegram.Channel, storage.OutboxEntry{
			ChatID: o.ChatID, Group: true, Kind: string(o.Kind), Payload: payload, DedupeKey: key,
		}); err != nil {
			t.Fatal(err)
		}
	}
	sentID := func(key string) string {
		t.Helper()
		var id string
		eventually(t, 5*time.Second, key+" delivered", func() bool {
			var err error
			id, err = store.SentMessageID(t.Context(), key)
			return err == nil
		})
		return id
	}
	// The chat a delivered message's row names, as sealing reads it.
	rowChat := func(key string) string {
		t.Helper()
		var chat string
		if err := store.DB().QueryRowContext(t.Context(), `SELECT chat_id FROM outbox WHERE dedupe_key = $1`, key).Scan(&chat); err != nil {
			t.Fatal(err)
		}
		return chat
	}
	sender := bot.NewSender(store, telegram.NewMessenger(connect(t, srv), quiet), quiet,
		bot.SenderOptions{Poll: 20 * time.Millisecond, GroupRate: 1000, GroupBurst: 1000})
	run(t, sender.Run)

	enqueue(bot.Outgoing{Kind: bot.KindText, Text: "<b>PA-2026-000007</b> · Phản ánh: ..."}, "card")
	enqueue(bot.Outgoing{Kind: bot.KindPhoto, FileID: srv.PushPhoto(lan, nil, "").FileID, Text: "PA-2026-000007"}, "photo")
	cardID, photoID := sentID("card"), sentID("photo")
	if n := len(srv.Sent(supergroup)); n != 2 {
		t.Fatalf("the supergroup got %d messages, want the card and its photo", n)
	}

	// Sealed as handlers/seal.go does it, from the outbox rows.
	if chat := rowChat("card"); chat != strconv.FormatInt(supergroup, 10) {
		t.Fatalf("the card's row names chat %s, not the supergroup it went to", chat)
	}
	enqueue(bot.Outgoing{Kind: bot.KindEdit, ChatID: rowChat("card"), MessageID: cardID, Text: "Nội dung đã được niêm phong."}, "seal-card")
	enqueue(bot.Outgoing{Kind: bot.KindDelete, ChatID: rowChat("photo"), MessageID: photoID}, "seal-photo")
	sentID("seal-card")
	sentID("seal-photo")

	card, _ := strconv.Atoi(cardID)
	photo, _ := strconv.Atoi(photoID)
	if m, _ := srv.Message(supergroup, card); m.Text != "Nội dung đã được niêm phong." {
		t.Errorf("the delivered card still reads %q (the supergroup has %d messages)", m.Text, len(srv.Sent(supergroup)))
	}
	if m, _ := srv.Message(supergroup, photo); !m.Deleted {
		t.Errorf("the delivered photo %d is still in the supergroup", photo)
	}
}
