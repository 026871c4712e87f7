package app_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/danvan-vn/danvan/bot/telegram"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

// A service moved from webhook mode to polling deletes the webhook at
// start ("a replica started in polling mode deletes the webhook"): while
// one is set, getUpdates answers 409. Should that one call fail (a 5xx, a
// dropped connection), the bot must still end up receiving updates rather
// than poll into 409 until someone restarts it, while Telegram keeps
// posting to the old URL (and drops what waits after 24 hours).
func TestPollingStartsEvenIfDeletingTheOldWebhookFailedOnce(t *testing.T) {
	api := telegramtest.NewServer(telegramtest.Config{RequireKnownChat: true})
	defer api.Close()
	dsn := storagetest.NewDatabase(t)

	// The webhook a former deployment registered, now pointing nowhere.
	client, err := telegram.NewClient(t.Context(), api.Token(), telegram.ClientOptions{APIURL: api.URL, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.RegisterWebhook(context.Background(), "http://"+freeAddr(t)+"/telegram/webhook", "old-Secret_1"); err != nil {
		t.Fatal(err)
	}
	api.InjectFault(telegramtest.Fault{Method: "deleteWebhook", Times: 1, Kind: telegramtest.FaultError, Status: 502, Description: "Bad Gateway"})

	startService(t, testConfig(api, dsn))
	c := newPerson(t, api, 5091, "Tâm")
	c.says("/start", "Xin chào")
}
