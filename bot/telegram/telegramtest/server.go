package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults used when the corresponding Config field is zero.
const (
	DefaultToken          = "7000000001:AAH-danvan-fake-bot-api-token-0000"
	DefaultBotUsername    = "danvan_test_bot"
	DefaultBotFirstName   = "Danvan Test Bot"
	DefaultFirstUpdateID  = 100000001
	DefaultRetention      = 24 * time.Hour
	DefaultCallbackExpiry = 15 * time.Second
	DefaultMaxRequestLog  = 10000
)

// Config configures a Server. The zero value is a usable default.
type Config struct {
	// Token is the bot token accepted in /bot<token>/... (default DefaultToken).
	Token string
	// BotID defaults to the numeric prefix of Token, as in real tokens.
	BotID        int64
	BotUsername  string // default DefaultBotUsername
	BotFirstName string // default DefaultBotFirstName

	// FirstUpdateID is the update_id of the first update. Update ids stay
	// monotonic across Reset so a bot that persisted its offset keeps working.
	FirstUpdateID int
	// UpdateRetention is how long unconfirmed updates are kept (default 24h).
	UpdateRetention time.Duration
	// CallbackExpiry is how long a callback query can be answered (default
	// 15s; Telegram does not document the exact value).
	CallbackExpiry time.Duration

	// RequireKnownChat makes sends to a chat that never interacted with the
	// bot (no pushed message, no AddChat) fail with 400 "chat not found", as
	// on Telegram; the service's tests and the bench turn it on. When false,
	// unknown chats are created on first use (the sandbox, whose fake
	// forgets its chats when it restarts, and the fake's own tests).
	RequireKnownChat bool
	// ReadAllGroupMessages turns group privacy mode off, as BotFather's
	// /setprivacy "Disable" does (getMe then reports
	// can_read_all_group_messages). By default, as on Telegram, the bot is
	// in privacy mode: in groups it receives only commands (addressed to it
	// or to no bot), replies to its own messages, messages mentioning its
	// @username and service messages; callback queries from its buttons
	// and private chats are not affected.
	ReadAllGroupMessages bool
	// HTMLAllowBareAmpersand accepts a '&' that does not start an HTML entity
	// as a literal character, as Telegram itself does. By default the fake is
	// stricter and rejects it, to catch citizen text sent without escaping.
	HTMLAllowBareAmpersand bool

	// Flood configures flood control (off unless Flood.Enabled).
	Flood FloodConfig
	// Webhook configures webhook delivery.
	Webhook WebhookConfig

	// MaxRequestLog caps the request log; the oldest entries are dropped
	// (default DefaultMaxRequestLog).
	MaxRequestLog int

	// OnBotActivity, when set, is called for every message the bot sends,
	// edits or deletes and every callback query it answers, in order, after
	// the call that did it and outside the server's lock (see observe.go).
	// It must not block for long: the bot's calls wait for it.
	OnBotActivity func(Activity)
}

func (c Config) withDefaults() Config {
	if c.Token == "" {
		c.Token = DefaultToken
	}
	if c.BotID == 0 {
		prefix, _, _ := strings.Cut(c.Token, ":")
		if id, err := strconv.ParseInt(prefix, 10, 64); err == nil && id > 0 {
			c.BotID = id
		} else {
			c.BotID = 7000000001
		}
	}
	if c.BotUsername == "" {
		c.BotUsername = DefaultBotUsername
	}
	if c.BotFirstName == "" {
		c.BotFirstName = DefaultBotFirstName
	}
	if c.FirstUpdateID == 0 {
		c.FirstUpdateID = DefaultFirstUpdateID
	}
	if c.UpdateRetention == 0 {
		c.UpdateRetention = DefaultRetention
	}
	if c.CallbackExpiry == 0 {
		c.CallbackExpiry = DefaultCallbackExpiry
	}
	if c.MaxRequestLog == 0 {
		c.MaxRequestLog = DefaultMaxRequestLog
	}
	c.Flood = c.Flood.withDefaults()
	c.Webhook = c.Webhook.withDefaults()
	return c
}

// Server is the fake Bot API. It is an http.Handler; NewServer and Listen
// also serve it on a local TCP port.
type Server struct {
	// URL is the base URL ("http://127.0.0.1:port") when the server was
	// started with NewServer, Listen or Serve; empty otherwise.
	URL string

	cfg     Config
	bot     User
	methods map[string]methodSpec

	httpSrv       *http.Server
	webhookClient *http.Client

	wg   sync.WaitGroup // background goroutines (webhook delivery, serving)
	done chan struct{}  // closed by Close: wakes long polls and sleeps

	flushMu  sync.Mutex // serialises OnBotActivity calls
	observed []Activity // guarded by mu: activity not yet reported

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced on every state change
	st      *state
}

// state is everything Reset clears. It is guarded by Server.mu.
type state struct {
	seq uint64 // bot-activity cursor

	updates updateQueue
	files   fileStore

	chats       map[int64]*chatState
	callbacks   map[string]*pendingCallback
	callbackSeq int64
	answers     []CallbackAnswer
	commands    map[commandKey]CommandSet
	requests    []Request
	calls       map[string]int
	faults      []*faultRule
	flood       floodState
	webhook     *webhookState
	secretMode  SecretHeaderMode
	deliveryLog []WebhookDelivery
}

// New returns a server that is not listening; use it as an http.Handler.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		cfg:     cfg,
		bot:     User{ID: cfg.BotID, FirstName: cfg.BotFirstName, Username: cfg.BotUsername},
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		webhookClient: &http.Client{
			Timeout:   cfg.Webhook.Timeout,
			Transport: http.DefaultTransport.(*http.Transport).Clone(),
		},
	}
	s.methods = s.methodTable()
	s.st = s.newState(cfg.FirstUpdateID)
	return s
}

func (s *Server) newState(nextUpdateID int) *state {
	return &state{
		updates:   updateQueue{nextID: nextUpdateID, deliveries: map[int]int{}},
		files:     fileStore{byID: map[string]*storedFile{}, byPath: map[string]*storedFile{}},
		chats:     map[int64]*chatState{},
		callbacks: map[string]*pendingCallback{},
		commands:  map[commandKey]CommandSet{},
		calls:     map[string]int{},
		flood:     newFloodState(),
	}
}

// NewServer starts a server on a random loopback port. Like
// httptest.NewServer it panics if it cannot listen.
func NewServer(cfg Config) *Server {
	s, err := Listen("127.0.0.1:0", cfg)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: failed to listen: %v", err))
	}
	return s
}

// Listen starts a server on addr (for example "127.0.0.1:8081").
func Listen(addr string, cfg Config) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := New(cfg)
	s.Serve(l)
	return s, nil
}

// Serve serves the fake on l in the background and sets URL. Close stops it.
func (s *Server) Serve(l net.Listener) {
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.httpSrv = hs
	s.URL = "http://" + l.Addr().String()
	s.mu.Unlock()
	s.wg.Go(func() { _ = hs.Serve(l) })
}

// Token returns the accepted bot token.
func (s *Server) Token() string { return s.cfg.Token }

// Bot returns the bot user that getMe reports.
func (s *Server) Bot() User { return s.bot }

// Endpoint returns the format string tgbotapi expects:
// URL + "/bot%s/%s".
func (s *Server) Endpoint() string { return s.URL + "/bot%s/%s" }

// FileURL returns the download URL of a file_path returned by getFile.
func (s *Server) FileURL(filePath string) string {
	return s.URL + "/file/bot" + s.cfg.Token + "/" + filePath
}

// Close stops serving, ends pending long polls and webhook deliveries and
// waits for every background goroutine. It is idempotent.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.stopWebhookLocked()
	hs := s.httpSrv
	s.mu.Unlock()

	if hs != nil {
		// Handlers return promptly once done is closed, so a graceful
		// shutdown is quick; Close afterwards drops anything left.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = hs.Shutdown(ctx)
		cancel()
		_ = hs.Close()
	}
	s.wg.Wait()
	s.webhookClient.CloseIdleConnections()
}

// Reset forgets all state (updates, chats, messages, files, callbacks,
// commands, logs, faults, flood buckets, webhook) but keeps the
// configuration. Update ids keep increasing.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopWebhookLocked()
	if p := s.st.updates.poll; p != nil {
		p.terminate("Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
	}
	s.st = s.newState(s.st.updates.nextID)
	s.notifyLocked()
}

// notifyLocked wakes every waiter (long polls, WaitFor, webhook loop).
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// nextSeqLocked advances the bot-activity cursor.
func (s *Server) nextSeqLocked() uint64 {
	s.st.seq++
	return s.st.seq
}

// apiError is a Telegram-shaped error answer.
type apiError struct {
	Code        int
	Description string
	RetryAfter  int
	MigrateTo   int64
}

func (e *apiError) Error() string { return e.Description }

func badRequest(format string, args ...any) *apiError {
	return &apiError{Code: http.StatusBadRequest, Description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func forbidden(desc string) *apiError {
	return &apiError{Code: http.StatusForbidden, Description: "Forbidden: " + desc}
}

func tooManyRequests(retryAfter int) *apiError {
	return &apiError{
		Code:        http.StatusTooManyRequests,
		Description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		RetryAfter:  retryAfter,
	}
}

var (
	errUnauthorized = &apiError{Code: http.StatusUnauthorized, Description: "Unauthorized"}
	errNotFound     = &apiError{Code: http.StatusNotFound, Description: "Not Found"}
	errTooLarge     = &apiError{Code: http.StatusRequestEntityTooLarge, Description: "Request Entity Too Large"}
)

type responseParameters struct {
	RetryAfter      int   `json:"retry_after,omitempty"`
	MigrateToChatID int64 `json:"migrate_to_chat_id,omitempty"`
}

type envelope struct {
	OK          bool                `json:"ok"`
	Result      any                 `json:"result,omitempty"`
	ErrorCode   int                 `json:"error_code,omitempty"`
	Description string              `json:"description,omitempty"`
	Parameters  *responseParameters `json:"parameters,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // Telegram does not escape <, > and &
	_ = enc.Encode(v)
}

// writeError answers with the error envelope; the HTTP status equals
// error_code, as Telegram does.
func writeError(w http.ResponseWriter, e *apiError) {
	env := envelope{OK: false, ErrorCode: e.Code, Description: e.Description}
	if e.RetryAfter > 0 || e.MigrateTo != 0 {
		env.Parameters = &responseParameters{RetryAfter: e.RetryAfter, MigrateToChatID: e.MigrateTo}
	}
	writeJSON(w, e.Code, env)
}

// methodSpec describes one Bot API method.
type methodSpec struct {
	name string
	fn   func(*call) (any, *apiError)
	// sends marks methods that post or change a message in a chat; they are
	// subject to flood control.
	sends bool
}

func (s *Server) methodTable() map[string]methodSpec {
	specs := []methodSpec{
		{name: "getMe", fn: s.getMe},
		{name: "getUpdates", fn: s.getUpdates},
		{name: "sendMessage", fn: s.sendMessage, sends: true},
		{name: "editMessageText", fn: s.editMessageText, sends: true},
		{name: "editMessageReplyMarkup", fn: s.editMessageReplyMarkup, sends: true},
		{name: "editMessageCaption", fn: s.editMessageCaption, sends: true},
		{name: "editMessageMedia", fn: s.editMessageMedia, sends: true},
		{name: "deleteMessage", fn: s.deleteMessage},
		{name: "sendChatAction", fn: s.sendChatAction},
		{name: "copyMessage", fn: s.copyMessage, sends: true},
		{name: "forwardMessage", fn: s.forwardMessage, sends: true},
		{name: "sendPhoto", fn: s.sendPhoto, sends: true},
		{name: "sendDocument", fn: s.sendDocument, sends: true},
		{name: "getFile", fn: s.getFile},
		{name: "getChat", fn: s.getChat},
		{name: "answerCallbackQuery", fn: s.answerCallbackQuery},
		{name: "setMyCommands", fn: s.setMyCommands},
		{name: "getMyCommands", fn: s.getMyCommands},
		{name: "deleteMyCommands", fn: s.deleteMyCommands},
		{name: "setWebhook", fn: s.setWebhook},
		{name: "deleteWebhook", fn: s.deleteWebhook},
		{name: "getWebhookInfo", fn: s.getWebhookInfo},
	}
	m := make(map[string]methodSpec, len(specs))
	for _, sp := range specs {
		m[strings.ToLower(sp.name)] = sp
	}
	return m
}

// canonicalMethod returns the canonical spelling of a method name, or the
// name unchanged if the fake does not know it.
func (s *Server) canonicalMethod(name string) string {
	if sp, ok := s.methods[strings.ToLower(name)]; ok {
		return sp.name
	}
	return name
}

// call is one API request being handled.
type call struct {
	r      *http.Request
	method string
	p      params
	chatID int64 // numeric chat_id, 0 if absent or a @username
	// desc is an optional description for a successful answer (Telegram
	// adds one to setWebhook and deleteWebhook).
	desc string
}

// ServeHTTP routes /bot<token>/<method> and /file/bot<token>/<path>.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch path := r.URL.Path; {
	case strings.HasPrefix(path, "/file/bot"):
		s.serveFile(w, r, strings.TrimPrefix(path, "/file/bot"))
	case strings.HasPrefix(path, "/bot"):
		s.serveMethod(w, r, strings.TrimPrefix(path, "/bot"))
	default:
		writeError(w, errNotFound)
	}
}

func (s *Server) serveMethod(w http.ResponseWriter, r *http.Request, rest string) {
	start := time.Now()
	token, name, ok := strings.Cut(rest, "/")
	rec := Request{At: start, Method: s.canonicalMethod(name)}
	finish := func(status int, desc string) {
		rec.Status, rec.Description, rec.Duration = status, desc, time.Since(start)
		s.logRequest(rec)
	}
	fail := func(e *apiError) {
		writeError(w, e)
		finish(e.Code, e.Description)
	}

	if !ok || strings.Contains(name, "/") {
		fail(errNotFound)
		return
	}
	if token != s.cfg.Token {
		// Telegram answers 404 to a token not shaped like one ("bot123:…"
		// with the prefix pasted twice, quotes around it) and 401 to a
		// well-formed token it does not know.
		if !wellFormedToken(token) {
			fail(errNotFound)
			return
		}
		fail(errUnauthorized)
		return
	}
	spec, known := s.methods[strings.ToLower(name)]
	if !known || (r.Method != http.MethodGet && r.Method != http.MethodPost) {
		fail(errNotFound)
		return
	}

	p, perr := parseParams(w, r)
	defer p.cleanup()
	rec.Params, rec.Files = p.values, p.fileSizes()
	c := &call{r: r, method: spec.name, p: p}
	if id, err := strconv.ParseInt(p.str("chat_id"), 10, 64); err == nil {
		c.chatID = id
	}
	rec.ChatID = c.chatID
	s.countCall(spec.name)
	if perr != nil {
		fail(perr)
		return
	}

	switch outcome := s.applyFaults(w, c); outcome.kind {
	case faultHandled:
		finish(outcome.status, outcome.desc)
		return
	case faultAPIError:
		fail(outcome.err)
		return
	}
	if e := s.checkFlood(c, spec.sends); e != nil {
		fail(e)
		return
	}

	result, e := spec.fn(c)
	s.flushActivity()
	if e != nil {
		fail(e)
		return
	}
	writeJSON(w, http.StatusOK, envelope{OK: true, Result: result, Description: c.desc})
	finish(http.StatusOK, "")
}

func (s *Server) countCall(method string) {
	s.mu.Lock()
	s.st.calls[method]++
	s.mu.Unlock()
}

func (s *Server) logRequest(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The log may grow to twice its cap before the oldest half is dropped,
	// so logging stays O(1) amortised under load; Requests trims to the cap.
	if n := len(s.st.requests); n >= 2*s.cfg.MaxRequestLog {
		s.st.requests = append(s.st.requests[:0], s.st.requests[n-s.cfg.MaxRequestLog+1:]...)
	}
	s.st.requests = append(s.st.requests, r)
}

// sleep waits for d unless the server or the request ends first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// getMe answers with the bot user; tgbotapi calls it from every constructor.
func (s *Server) getMe(c *call) (any, *apiError) {
	return map[string]any{
		"id":                          s.bot.ID,
		"is_bot":                      true,
		"first_name":                  s.bot.FirstName,
		"username":                    s.bot.Username,
		"can_join_groups":             true,
		"can_read_all_group_messages": s.cfg.ReadAllGroupMessages,
		"supports_inline_queries":     false,
	}, nil
}

// wellFormedToken reports whether token looks like a bot token: the bot's
// numeric id, a colon and a secret of A-Z a-z 0-9 _ -.
func wellFormedToken(token string) bool {
	id, secret, ok := strings.Cut(token, ":")
	if !ok || id == "" || secret == "" {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	for i := 0; i < len(secret); i++ {
		if c := secret[i]; !isAlnum(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}
