package telegramtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"syscall"
	"time"
)

// WebhookConfig configures webhook delivery.
type WebhookConfig struct {
	// StrictURL enforces api.telegram.org's rules: HTTPS only, ports 443,
	// 80, 88 or 8443. Off by default, like a local Bot API server, so tests
	// can point the webhook at a plain-HTTP httptest server.
	StrictURL bool
	// Timeout bounds one delivery (default 10s).
	Timeout time.Duration
	// RetryMin is the wait before the first retry (default 100ms); it
	// doubles on every failure up to RetryMax (default 5s).
	RetryMin time.Duration
	RetryMax time.Duration
	// MaxAttempts drops an update after that many failed deliveries; 0
	// retries until the update expires (see Config.UpdateRetention).
	MaxAttempts int
}

func (w WebhookConfig) withDefaults() WebhookConfig {
	if w.Timeout == 0 {
		w.Timeout = 10 * time.Second
	}
	if w.RetryMin == 0 {
		w.RetryMin = 100 * time.Millisecond
	}
	if w.RetryMax == 0 {
		w.RetryMax = 5 * time.Second
	}
	return w
}

// SecretHeaderMode controls the X-Telegram-Bot-Api-Secret-Token header of
// webhook deliveries, so tests can check that the bot rejects forgeries.
type SecretHeaderMode int

const (
	SecretHeaderCorrect SecretHeaderMode = iota // send the configured secret
	SecretHeaderOmit                            // send no header
	SecretHeaderWrong                           // send a wrong value
)

const (
	defaultMaxConnections = 40
	maxMaxConnections     = 100
	maxSecretLen          = 256
)

type webhookState struct {
	url      string
	secret   string
	maxConn  int
	allowed  []string
	ctx      context.Context
	cancel   context.CancelFunc
	inFlight int

	lastErrorDate time.Time
	lastErrorMsg  string
}

// SetWebhookSecretHeader changes what deliveries send as the secret header.
func (s *Server) SetWebhookSecretHeader(mode SecretHeaderMode) {
	s.mu.Lock()
	s.st.secretMode = mode
	s.mu.Unlock()
}

// WebhookDeliveries returns every delivery attempt, in order.
func (s *Server) WebhookDeliveries() []WebhookDelivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.st.deliveryLog)
}

func validSecret(secret string) bool {
	for i := 0; i < len(secret); i++ {
		c := secret[i]
		if !(isAlnum(c) || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (s *Server) validateWebhookURL(raw string) *apiError {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	if !s.cfg.Webhook.StrictURL {
		return nil
	}
	if u.Scheme != "https" {
		return badRequest("bad webhook: An HTTPS URL must be provided for webhook")
	}
	switch u.Port() {
	case "", "443", "80", "88", "8443":
		return nil
	}
	return badRequest("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
}

func (s *Server) setWebhook(c *call) (any, *apiError) {
	rawURL := c.p.str("url")
	if rawURL == "" {
		// An empty URL removes the webhook, as in the Bot API.
		return s.deleteWebhook(c)
	}
	if e := s.validateWebhookURL(rawURL); e != nil {
		return nil, e
	}
	secret := c.p.str("secret_token")
	if len(secret) > maxSecretLen {
		return nil, badRequest("secret token is too long")
	}
	if !validSecret(secret) {
		return nil, badRequest("secret token contains unallowed characters")
	}
	// Like tdlib's telegram-bot-api, out-of-range values are clamped.
	maxConn := int64(defaultMaxConnections)
	if n, ok := c.p.int("max_connections"); ok {
		maxConn = min(max(n, 1), maxMaxConnections)
	}
	var allowed []string
	hasAllowed, err := c.p.json("allowed_updates", &allowed)
	if err != nil {
		return nil, badRequest("can't parse allowed updates")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		// Close is waiting for background goroutines; start no new one.
		return nil, &apiError{Code: http.StatusInternalServerError, Description: "Internal Server Error"}
	}
	if old := s.st.webhook; old != nil && old.url == rawURL && old.secret == secret && old.maxConn == int(maxConn) &&
		(!hasAllowed || slices.Equal(old.allowed, allowed)) && !c.p.bool("drop_pending_updates") {
		c.desc = "Webhook is already set"
		return true, nil
	}
	s.stopWebhookLocked()
	if c.p.bool("drop_pending_updates") {
		s.st.updates.items = nil
	}
	if hasAllowed {
		s.st.updates.allowed = allowed
	}
	if p := s.st.updates.poll; p != nil {
		p.terminate(conflictSetHook)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ws := &webhookState{url: rawURL, secret: secret, maxConn: int(maxConn), allowed: s.st.updates.allowed, ctx: ctx, cancel: cancel}
	s.st.webhook = ws
	s.wg.Go(func() { s.runWebhook(ws) })
	s.notifyLocked()
	c.desc = "Webhook was set"
	return true, nil
}

func (s *Server) deleteWebhook(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.desc = "Webhook is already deleted"
	if s.st.webhook != nil {
		c.desc = "Webhook was deleted"
	}
	s.stopWebhookLocked()
	if c.p.bool("drop_pending_updates") {
		s.st.updates.items = nil
	}
	s.notifyLocked()
	return true, nil
}

// stopWebhookLocked cancels delivery; in-flight updates go back to the
// queue and can be polled.
func (s *Server) stopWebhookLocked() {
	if ws := s.st.webhook; ws != nil {
		ws.cancel()
		s.st.webhook = nil
	}
}

func (s *Server) getWebhookInfo(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireLocked(time.Now())
	info := map[string]any{
		"url":                    "",
		"has_custom_certificate": false,
		"pending_update_count":   len(s.st.updates.items),
	}
	if ws := s.st.webhook; ws != nil {
		info["url"] = ws.url
		info["max_connections"] = ws.maxConn
		info["ip_address"] = "127.0.0.1"
		if ws.allowed != nil {
			info["allowed_updates"] = ws.allowed
		}
		if !ws.lastErrorDate.IsZero() {
			info["last_error_date"] = ws.lastErrorDate.Unix()
			info["last_error_message"] = ws.lastErrorMsg
		}
	}
	return info, nil
}

// runWebhook hands queued updates to deliver, keeping at most maxConn in
// flight and honouring each update's retry time.
func (s *Server) runWebhook(ws *webhookState) {
	for {
		s.mu.Lock()
		if ws.ctx.Err() != nil {
			s.mu.Unlock()
			return
		}
		now := time.Now()
		s.expireLocked(now)
		var wake time.Time
		// Like Telegram, a chat's next update goes only once the one
		// before it was accepted or given up: retries keep its order.
		held := map[int64]bool{}
		for _, u := range s.st.updates.items {
			if ws.inFlight >= ws.maxConn {
				break
			}
			if chat := u.chatOf(); chat != 0 {
				if held[chat] {
					continue
				}
				held[chat] = true
			}
			if u.inFlight {
				continue
			}
			if u.nextAttempt.After(now) {
				if wake.IsZero() || u.nextAttempt.Before(wake) {
					wake = u.nextAttempt
				}
				continue
			}
			u.inFlight = true
			u.attempts++
			ws.inFlight++
			secret := ws.secret
			switch s.st.secretMode {
			case SecretHeaderOmit:
				secret = ""
			case SecretHeaderWrong:
				secret += "-wrong"
			}
			s.wg.Go(func() { s.deliver(ws, u, secret) })
		}
		changed := s.changed
		s.mu.Unlock()

		var (
			timer *time.Timer
			fire  <-chan time.Time
		)
		if !wake.IsZero() {
			timer = time.NewTimer(time.Until(wake))
			fire = timer.C
		}
		select {
		case <-ws.ctx.Done():
		case <-changed:
		case <-fire:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

func (s *Server) deliver(ws *webhookState, u *queuedUpdate, secret string) {
	start := time.Now()
	status, errMsg := s.post(ws, u.payload, secret)

	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	ws.inFlight--
	u.inFlight = false
	if ws.ctx.Err() != nil || s.st.webhook != ws {
		// Cancelled by deleteWebhook, setWebhook, Reset or Close: the update
		// stays queued and this attempt does not count.
		u.attempts--
		return
	}
	now := time.Now()
	s.st.deliveryLog = append(s.st.deliveryLog, WebhookDelivery{At: start, UpdateID: u.id, Attempt: u.attempts,
		URL: ws.url, Secret: secret, StatusCode: status, Error: errMsg, Duration: now.Sub(start)})
	q := &s.st.updates
	if errMsg == "" {
		q.deliveries[u.id]++
		if i := slices.Index(q.items, u); i >= 0 {
			q.items = slices.Delete(q.items, i, i+1)
		}
		return
	}
	ws.lastErrorDate, ws.lastErrorMsg = now, errMsg
	if limit := s.cfg.Webhook.MaxAttempts; limit > 0 && u.attempts >= limit {
		if i := slices.Index(q.items, u); i >= 0 {
			q.items = slices.Delete(q.items, i, i+1)
		}
		return
	}
	backoff := s.cfg.Webhook.RetryMin << min(u.attempts-1, 20)
	u.nextAttempt = now.Add(min(backoff, s.cfg.Webhook.RetryMax))
}

// post sends one update; errMsg is "" on a 2xx answer and otherwise reads
// like getWebhookInfo.last_error_message on Telegram.
func (s *Server) post(ws *webhookState, payload []byte, secret string) (status int, errMsg string) {
	req, err := http.NewRequestWithContext(ws.ctx, http.MethodPost, ws.url, bytes.NewReader(payload))
	if err != nil {
		return 0, "Invalid webhook URL"
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := s.webhookClient.Do(req)
	if err != nil {
		return 0, describeNetError(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Sprintf("Wrong response from the webhook: %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	return resp.StatusCode, ""
}

func describeNetError(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "Connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "Connection reset by peer"
	case errors.As(err, &ne) && ne.Timeout():
		return "Read timeout expired"
	}
	return err.Error()
}
