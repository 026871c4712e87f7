// Package telegram is danvan's Telegram adapter: it receives updates (long
// polling or a webhook), decodes them into bot.Events and delivers
// bot.Outgoing messages. It is the only package that uses the
// telegram-bot-api library, whose pitfalls it works around: no context, ignored HTTP statuses, no 429 handling, a fixed
// file URL and no webhook secret.
package telegram

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/danvan-vn/danvan/bot"
)

// Channel names Telegram in inbox and outbox rows.
const Channel = "telegram"

// DefaultAPIURL is Telegram's own Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// ClientOptions configure NewClient. Zero values take the defaults.
type ClientOptions struct {
	// APIURL is the Bot API server: Telegram, a self-hosted
	// telegram-bot-api, or a test server. Default DefaultAPIURL.
	APIURL string
	// HTTPClient performs the requests; default a new http.Client that
	// keeps up to idleConnections connections open. Its own Timeout, if
	// any, must exceed a long poll.
	HTTPClient *http.Client
	// RequestTimeout bounds one API call (a long poll gets its poll
	// timeout on top). Default 30s.
	RequestTimeout time.Duration
	Logger         *slog.Logger
}

// idleConnections is how many connections to the Bot API are kept open
// between calls: more than the sender's deliveries in flight plus the
// poll. Go's default of two makes a busy sender close and dial (and, with
// Telegram, handshake TLS) a connection for nearly every message.
const idleConnections = 64

// Client is a connection to the Bot API for one bot token.
type Client struct {
	api     *tgbotapi.BotAPI
	token   string
	apiURL  string
	http    *http.Client
	timeout time.Duration
	logger  *slog.Logger
}

// NewClient connects to the Bot API and identifies the bot (getMe). While
// the API cannot be reached it retries with backoff until ctx is done, so
// a brief Telegram outage at start does not stop the service; a rejected
// token fails at once.
func NewClient(ctx context.Context, token string, opts ClientOptions) (*Client, error) {
	if token == "" {
		return nil, errors.New("telegram: no bot token")
	}
	c := &Client{
		token:   token,
		apiURL:  strings.TrimRight(cmp.Or(opts.APIURL, DefaultAPIURL), "/"),
		http:    opts.HTTPClient,
		timeout: opts.RequestTimeout,
		logger:  opts.Logger,
	}
	if c.http == nil {
		transport := http.DefaultTransport.(*http.Transport).Clone()
		transport.MaxIdleConnsPerHost = idleConnections
		c.http = &http.Client{Transport: transport}
	}
	if c.timeout <= 0 {
		c.timeout = 30 * time.Second
	}
	if c.logger == nil {
		c.logger = slog.Default()
	}
	// The library fills the endpoint with fmt: escape any % of the URL.
	endpoint := strings.ReplaceAll(c.apiURL, "%", "%%") + "/bot%s/%s"
	for attempt := 0; ; attempt++ {
		cc := c.bind(ctx, c.timeout)
		api, err := tgbotapi.NewBotAPIWithClient(token, endpoint, cc)
		if err == nil {
			// Every call gets a copy bound to its own context (see do);
			// this one is never used for requests.
			api.Client = c.bind(context.Background(), c.timeout)
			c.api = api
			return c, nil
		}
		callErr := c.callError(cc, err)
		// Telegram answers 401 to a token it does not know, and 404 to
		// one not shaped like a token (say, with the "bot" prefix pasted
		// into it). A 404 that is not the Bot API's (a proxy's page) may
		// pass, like any other failure.
		var te *tgbotapi.Error
		if callErr.Code == http.StatusUnauthorized || errors.As(err, &te) && te.Code == http.StatusNotFound {
			return nil, fmt.Errorf("telegram: the bot token was rejected (check TELEGRAM_BOT_TOKEN, as @BotFather gave it, and TELEGRAM_API_URL): %w", callErr)
		}
		wait := bot.Backoff(attempt, time.Second, 30*time.Second)
		if callErr.RetryAfter > 0 { // flood control: not before Telegram says
			wait = max(wait, callErr.RetryAfter)
		}
		c.logger.Warn("telegram: cannot reach the Bot API, retrying", "error", callErr, "retry_in", wait)
		if !sleep(ctx, wait) {
			return nil, fmt.Errorf("telegram: connect: %w (last error: %w)", ctx.Err(), callErr)
		}
	}
}

// Username is the bot's @username, without the @.
func (c *Client) Username() string { return c.api.Self.UserName }

// do runs fn with a copy of the library's BotAPI whose HTTP client is
// bound to ctx: the library builds requests without a context, so this is
// how a call is cancelled, timed out and its HTTP status seen. Errors come
// back as *apiError.
func (c *Client) do(ctx context.Context, timeout time.Duration, fn func(api *tgbotapi.BotAPI) error) error {
	cc := c.bind(ctx, timeout)
	api := *c.api
	api.Client = cc
	if err := fn(&api); err != nil {
		return c.callError(cc, err)
	}
	return nil
}

// request calls a method by name, for what the library's types lack
// (secret_token, setMyCommands scopes, raw updates).
func (c *Client) request(ctx context.Context, timeout time.Duration, method string, params tgbotapi.Params) (json.RawMessage, error) {
	var result json.RawMessage
	err := c.do(ctx, timeout, func(api *tgbotapi.BotAPI) error {
		resp, err := api.MakeRequest(method, params)
		if err == nil {
			result = resp.Result
		}
		return err
	})
	return result, err
}

// download fetches a file from the configured server: the library's own
// file URL always points at api.telegram.org (pitfall 9).
func (c *Client) download(ctx context.Context, filePath string, maxBytes int64) ([]byte, error) {
	cc := c.bind(ctx, c.timeout)
	req, err := http.NewRequest(http.MethodGet, c.apiURL+"/file/bot"+c.token+"/"+filePath, nil)
	if err != nil {
		return nil, errors.New(c.redact(err.Error()))
	}
	resp, err := cc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &apiError{Method: "file", Status: resp.StatusCode, Code: resp.StatusCode, Description: resp.Status}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: download: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("telegram: download: file larger than %d bytes", maxBytes)
	}
	return data, nil
}

// bind returns the library's HTTPClient for one call.
func (c *Client) bind(ctx context.Context, timeout time.Duration) *callClient {
	return &callClient{ctx: ctx, timeout: timeout, client: c}
}

// callClient binds a context and a timeout to the library's requests,
// remembers the method and HTTP status of the last one (the library drops
// the status), logs failing statuses and keeps the token out of errors.
type callClient struct {
	ctx     context.Context
	timeout time.Duration
	client  *Client

	method string
	status int
}

func (cc *callClient) Do(req *http.Request) (*http.Response, error) {
	cc.method = path.Base(req.URL.Path)
	if strings.Contains(req.URL.Path, "/file/bot") {
		cc.method = "file" // a download, not a method
	}
	ctx, cancel := context.WithTimeout(cc.ctx, cc.timeout)
	resp, err := cc.client.http.Do(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, cc.client.redactError(err)
	}
	cc.status = resp.StatusCode
	// 4xx answers carry Telegram's description, which the caller logs
	// with its meaning; anything else may be a proxy's or an emulator's
	// page that the library reduces to an empty error.
	if s := resp.StatusCode; s >= 500 || s < 200 || (s >= 300 && s < 400) {
		cc.client.logger.Warn("telegram: HTTP error", "method", cc.method, "status", s)
	} else if s >= 400 {
		cc.client.logger.Debug("telegram: HTTP error", "method", cc.method, "status", s)
	}
	// The body is read after Do returns: cancel only when it is closed.
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// redactError keeps the token, which is part of every URL, out of
// transport errors while keeping them inspectable (errors.Is, net.Error).
func (c *Client) redactError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		redacted := *ue
		redacted.URL = c.redact(ue.URL)
		return &redacted
	}
	return err
}

func (c *Client) redact(s string) string {
	return strings.ReplaceAll(s, c.token, "<token>")
}

// sleep waits for d; it reports false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
