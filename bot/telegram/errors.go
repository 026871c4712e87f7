package telegram

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan-vn/danvan/bot"
)

// apiError is a failed Bot API call, with what the library leaves out:
// the HTTP status, and the flood-control wait as a duration.
type apiError struct {
	Method string // e.g. "sendMessage"
	Status int    // HTTP status; 0 when no answer came
	// Code is Telegram's error_code or, when the answer was not
	// Bot-API-shaped (a proxy's page, the emulator's 500, and every
	// multipart upload, whose error the library leaves without a code),
	// the HTTP status.
	Code int
	// Description is Telegram's description or the transport error: never
	// a message text, never the token.
	Description string
	RetryAfter  time.Duration
	// MigrateTo is the new id of a group that became a supergroup.
	MigrateTo int64
	// BotAPI: the answer was a Bot API error ({"ok": false, ...}), not a
	// page of a proxy in front of it, whose 400 or 403 says nothing about
	// the message or the chat.
	BotAPI bool
	// Unsupported: a 500 in JSON that is not a Bot API error, which is how
	// a server lacking the method answers (telegram-test-api, for files
	// and the command menu). Telegram's own errors are Bot API errors and
	// a proxy's pages are not JSON.
	Unsupported bool
	Err         error
}

func (e *apiError) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("telegram: %s: %d %s", e.Method, e.Code, e.Description)
	}
	return fmt.Sprintf("telegram: %s: %s", e.Method, e.Description)
}

func (e *apiError) Unwrap() error { return e.Err }

// callError describes a failed call made through cc.
func (c *Client) callError(cc *callClient, err error) *apiError {
	e := &apiError{Method: cc.method, Status: cc.status, Err: err}
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		// The emulator's JSON without error_code or description decodes
		// to an empty Error: not the Bot API's.
		e.BotAPI = te.Code != 0 || te.Message != ""
		e.Unsupported = !e.BotAPI && cc.status == http.StatusInternalServerError
		e.Code, e.Description = te.Code, te.Message
		e.RetryAfter = time.Duration(te.RetryAfter) * time.Second
		e.MigrateTo = te.MigrateToChatID
	}
	if e.Code == 0 && (cc.status < 200 || cc.status > 299) {
		e.Code = cc.status
	}
	if e.Description == "" {
		e.Description = c.redact(err.Error())
	}
	return e
}

// isAPIError reports whether err is a Bot API answer with the given code
// whose description contains fragment (case-insensitive; "" matches any).
func isAPIError(err error, code int, fragment string) bool {
	var e *apiError
	return errors.As(err, &e) && e.Code == code &&
		strings.Contains(strings.ToLower(e.Description), strings.ToLower(fragment))
}

// deliveryError tells the sender what to do about a failed delivery.
func deliveryError(err error) *bot.DeliveryError {
	if de, ok := err.(*bot.DeliveryError); ok {
		return de // classified already
	}
	var e *apiError
	if !errors.As(err, &e) {
		return &bot.DeliveryError{Description: err.Error()} // temporary
	}
	de := &bot.DeliveryError{Description: e.Method + ": " + e.Description}
	switch {
	case e.Unsupported:
		// Asking again cannot help, and the chat's later messages would
		// wait behind it for ever.
		de.Permanent = true
		de.Description = e.Method + ": the Bot API server does not support it"
	case e.Code == http.StatusTooManyRequests:
		// A 429 without retry_after (a proxy's) still means slow down.
		de.RetryAfter = max(e.RetryAfter, time.Second)
	case e.Code == http.StatusUnauthorized:
		de.Rejected = true
	case (e.Code == http.StatusForbidden || e.Code == http.StatusBadRequest) && !e.BotAPI:
		// A proxy's refusal (an egress filter, a firewall): the message
		// and the chat may be fine, so it is tried again, not dropped
		// and its person marked unreachable.
	case e.Code == http.StatusForbidden:
		// Blocked by the user, deactivated, or kicked from the group.
		de.Unreachable = true
	case e.Code == http.StatusBadRequest && strings.Contains(strings.ToLower(e.Description), "chat not found"):
		// The account was deleted, or never talked to the bot: no
		// retry will find it, and officers should know.
		de.Unreachable = true
	case e.Code == http.StatusBadRequest, e.Code == http.StatusRequestEntityTooLarge:
		// Invalid parameters, text too long, malformed HTML, expired
		// callback query, file too big: sending it again cannot help.
		de.Permanent = true
	}
	// Anything else (5xx, 404, 409, a proxy's 400 or 403, network
	// errors, timeouts) is temporary: the sender retries with backoff and
	// never drops the message.
	return de
}

// migratedTo returns the supergroup a failed call's group became, or 0.
func migratedTo(err error) int64 {
	var e *apiError
	if errors.As(err, &e) {
		return e.MigrateTo
	}
	return 0
}
