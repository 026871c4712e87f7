package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// server is the page's HTTP API: it reads the fake's chats and acts in
// them as the person of each chat.
type server struct {
	running app.Running
	api     *telegramtest.Server
	cast    *cast
	clock   *clock
	changes *hub
	lang    string
	kept    keptFiles // photos people sent, kept across restarts
	logger  *slog.Logger
	life    context.Context // ends at shutdown: long polls return

	timeMu sync.Mutex // one clock move or job run at a time
}

func newServer(life context.Context, running app.Running, api *telegramtest.Server, c *cast, clk *clock, changes *hub, lang string, kept keptFiles, logger *slog.Logger) *server {
	return &server{running: running, api: api, cast: c, clock: clk, changes: changes, lang: lang, kept: kept, logger: logger, life: life}
}

func (s *server) routes(addr string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /", staticFiles())
	mux.HandleFunc("GET /api/state", s.state)
	mux.HandleFunc("GET /api/chats/{id}", s.chat)
	mux.HandleFunc("POST /api/chats/{id}/send", s.act(s.send))
	mux.HandleFunc("POST /api/chats/{id}/press", s.act(s.press))
	mux.HandleFunc("POST /api/chats/{id}/photo", s.act(s.photo))
	mux.HandleFunc("POST /api/chats/{id}/location", s.act(s.location))
	mux.HandleFunc("POST /api/chats/{id}/contact", s.act(s.contact))
	mux.HandleFunc("GET /api/file/{id}", s.file)
	mux.HandleFunc("POST /api/clock/advance", s.advance)
	mux.HandleFunc("POST /api/digest", s.digest)
	mux.HandleFunc("GET /api/tickets", s.tickets)
	mux.HandleFunc("GET /api/tickets/{code}", s.ticket)
	return guard(addr, mux)
}

// guard keeps other web sites out of the sandbox: on a loopback address
// only loopback host names are served (no DNS rebinding), and changes need
// a header that a cross-site form cannot send.
func guard(addr string, next http.Handler) http.Handler {
	host, _, _ := net.SplitHostPort(addr)
	loopback := net.ParseIP(host).IsLoopback()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.Host
		if h, _, err := net.SplitHostPort(r.Host); err == nil {
			name = h
		}
		if ip := net.ParseIP(name); loopback && name != "localhost" && (ip == nil || !ip.IsLoopback()) {
			writeError(w, http.StatusForbidden, errors.New("the sandbox answers on its loopback address only"))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("X-Danvan-Sandbox") != "1" {
			writeError(w, http.StatusForbidden, errors.New("missing X-Danvan-Sandbox header"))
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("bad request body: %w", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// The codes of the errors the page shows in its own language: it looks
// up "error." + code in its strings, and shows the English error only for
// an error without a code.
const (
	errEmptyText      = "empty_text"
	errNoPhoto        = "no_photo"
	errNotImage       = "not_image"
	errPhotoTooLarge  = "photo_too_large"
	errTicketNotFound = "ticket_not_found"
)

var errorCodes = []string{errEmptyText, errNoPhoto, errNotImage, errPhotoTooLarge, errTicketNotFound}

// pageError is an error with a code the page translates.
type pageError struct {
	code string
	err  error
}

func (e *pageError) Error() string { return e.err.Error() }
func (e *pageError) Unwrap() error { return e.err }

func coded(code string, err error) error { return &pageError{code: code, err: err} }

// writeError answers {"error": "...", "code": "..."}, the code when the
// error has one.
func writeError(w http.ResponseWriter, status int, err error) {
	body := map[string]string{"error": err.Error()}
	if pe := (*pageError)(nil); errors.As(err, &pe) {
		body["code"] = pe.code
	}
	writeJSON(w, status, body)
}
