package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/storage"
)

// secretHeader carries the secret_token given to setWebhook.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// WebhookOptions tune a WebhookHandler.
type WebhookOptions struct {
	// MaxBodyBytes caps an update's size; default 1 MiB, far above any
	// update (texts are at most 4096 characters, files come by id).
	MaxBodyBytes int64
	// InsecureSkipSecretCheck accepts deliveries without the secret
	// header. Only for the telegram-test-api emulator, which cannot send
	// one; with it anyone who finds the URL can inject
	// updates. Never set it in production.
	InsecureSkipSecretCheck bool
}

// WebhookHandler receives updates that Telegram posts. Mount it on your own
// mux at a path without the token, e.g. "/telegram/webhook". It answers 200
// only once an update is recorded: any other answer makes Telegram retry.
type WebhookHandler struct {
	secretSum [sha256.Size]byte
	record    RecordFunc
	logger    *slog.Logger
	opts      WebhookOptions
}

// NewWebhookHandler builds the handler. The secret is required (the one
// given to RegisterWebhook), unless the options disable the check.
func NewWebhookHandler(secret string, record RecordFunc, logger *slog.Logger, opts WebhookOptions) (*WebhookHandler, error) {
	if !opts.InsecureSkipSecretCheck {
		if err := CheckWebhookSecret(secret); err != nil {
			return nil, err
		}
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &WebhookHandler{secretSum: sha256.Sum256([]byte(secret)), record: record, logger: logger, opts: opts}, nil
}

func (h *WebhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Before the body is read: a stranger's request costs nothing.
	if !h.opts.InsecureSkipSecretCheck && !h.authentic(r) {
		h.logger.Warn("telegram: webhook request without the right secret", "remote", r.RemoteAddr)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.opts.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the update", http.StatusBadRequest)
		return
	}
	u, ok := incoming(body)
	if !ok {
		http.Error(w, "not an update", http.StatusBadRequest)
		return
	}
	if err := h.record(r.Context(), []storage.IncomingUpdate{u}); err != nil {
		// Telegram retries a failed delivery: the update is not lost.
		h.logger.Error("telegram: recording a webhook update failed", "update", u.UpdateID, "error", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// authentic compares the secret header in constant time. Comparing
// digests also hides the secret's length.
func (h *WebhookHandler) authentic(r *http.Request) bool {
	header := r.Header.Get(secretHeader)
	sum := sha256.Sum256([]byte(header))
	return header != "" && subtle.ConstantTimeCompare(sum[:], h.secretSum[:]) == 1
}

// RegisterWebhook tells Telegram to post updates to url with the secret
// header. The library's WebhookConfig predates secret_token, hence the
// raw call (pitfall 7).
//
// Telegram allows about one setWebhook a second per bot and answers 429
// to the next: replicas starting together all register, so a 429 is
// waited out, as are server and network errors, until ctx ends. A refusal
// (a bad URL, say) fails at once.
func (c *Client) RegisterWebhook(ctx context.Context, url, secret string) error {
	if err := CheckWebhookSecret(secret); err != nil {
		return err
	}
	allowed, _ := json.Marshal(allowedUpdates)
	params := tgbotapi.Params{
		"url":             url,
		"secret_token":    secret,
		"allowed_updates": string(allowed),
	}
	for attempt := 0; ; attempt++ {
		_, err := c.request(ctx, c.timeout, "setWebhook", params)
		var e *apiError
		if err == nil || !errors.As(err, &e) {
			return err
		}
		var wait time.Duration
		switch {
		case e.Code == http.StatusTooManyRequests:
			wait = max(e.RetryAfter, time.Second)
		case e.Code == 0 || e.Code >= 500:
			wait = bot.Backoff(attempt, time.Second, 30*time.Second)
		default:
			return err
		}
		c.logger.Warn("telegram: setWebhook failed, retrying", "error", err, "retry_in", wait)
		if !sleep(ctx, wait) {
			return fmt.Errorf("telegram: register the webhook: %w (last error: %w)", ctx.Err(), err)
		}
	}
}

// DeleteWebhook switches the bot back to polling; pending updates are kept.
// Call it before stopping a bot that ran with the emulator's webhook: its
// delivery to a dead URL crashes it.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	_, err := c.request(ctx, c.timeout, "deleteWebhook", nil)
	return err
}

// CheckWebhookSecret enforces setWebhook's rule: 1-256 of A-Z a-z 0-9 _ -.
func CheckWebhookSecret(secret string) error {
	if secret == "" || len(secret) > 256 {
		return errors.New("telegram: the webhook secret must have 1 to 256 characters")
	}
	for _, r := range secret {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '_' || r == '-') {
			return errors.New("telegram: the webhook secret may only contain A-Z, a-z, 0-9, _ and -")
		}
	}
	return nil
}
