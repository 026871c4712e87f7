package demo

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// The photos people send through the page are kept in the sandbox's data
// directory, because the tickets that refer to them are: the bot sends a
// petition's photos again by their Telegram file id (a transfer, an
// escalation, /status), and the built-in Bot API server forgets its files
// when it stops, so after a restart those sends were refused ("wrong file
// identifier") and the photos lost. The bot reaches the fake through a
// small proxy that turns a send of a kept photo the fake no longer knows
// into an upload of its bytes, as if Telegram had kept it.

const filesDir = "files"

// keptFiles stores files by id under dir; "" keeps nothing.
type keptFiles struct {
	dir    string
	logger *slog.Logger
}

func (k keptFiles) path(id string) (string, bool) {
	if k.dir == "" || id == "" || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return "", false
	}
	return filepath.Join(k.dir, filesDir, id), true
}

// keepPhoto stores every size of the photo of a message a person sent.
func (k keptFiles) keepPhoto(api *telegramtest.Server, chatID int64, messageID int) {
	if k.dir == "" {
		return
	}
	m, ok := api.Message(chatID, messageID)
	if !ok {
		return
	}
	if err := os.MkdirAll(filepath.Join(k.dir, filesDir), 0o700); err != nil {
		k.logger.Warn("sandbox: cannot keep photos", "err", err)
		return
	}
	for _, p := range m.Photo {
		file, ok := k.path(p.FileID)
		data, known := api.File(p.FileID)
		if !ok || !known {
			continue
		}
		if err := os.WriteFile(file, data, 0o600); err != nil {
			k.logger.Warn("sandbox: cannot keep a photo", "err", err)
		}
	}
}

func (k keptFiles) read(id string) ([]byte, bool) {
	file, ok := k.path(id)
	if !ok {
		return nil, false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			k.logger.Warn("sandbox: cannot read a kept photo", "err", err)
		}
		return nil, false
	}
	return data, true
}

// proxy serves the fake's Bot API on l, uploading kept photos the fake
// does not know when the bot sends them by id.
func (k keptFiles) proxy(l net.Listener, api *telegramtest.Server) *http.Server {
	target, _ := url.Parse(api.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		if r.Context().Err() == nil { // not the bot giving up a long poll at shutdown
			k.logger.Warn("sandbox: the Bot API proxy failed", "err", err)
		}
		w.WriteHeader(http.StatusBadGateway)
	}
	return &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/sendPhoto") {
			if err := k.restore(r, api); err != nil {
				k.logger.Warn("sandbox: cannot give a kept photo back", "err", err)
			}
		}
		rp.ServeHTTP(w, r)
	})}
}

// restore rewrites a sendPhoto by an id the fake has forgotten into an
// upload of the kept bytes; any other request is left as it is.
func (k keptFiles) restore(r *http.Request, api *telegramtest.Server) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	if err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	parse := r.Clone(r.Context())
	parse.Body = io.NopCloser(bytes.NewReader(body))
	if err := parse.ParseMultipartForm(32 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return err
	}
	id := parse.PostForm.Get("photo")
	if id == "" {
		return nil // an upload, not an id
	}
	if _, known := api.File(id); known {
		return nil
	}
	data, ok := k.read(id)
	if !ok {
		return nil
	}
	var out bytes.Buffer
	form := multipart.NewWriter(&out)
	for name, values := range parse.PostForm {
		if name == "photo" {
			continue
		}
		for _, v := range values {
			form.WriteField(name, v)
		}
	}
	part, err := form.CreateFormFile("photo", "photo.jpg")
	if err != nil {
		return err
	}
	part.Write(data)
	if err := form.Close(); err != nil {
		return err
	}
	r.Body = io.NopCloser(bytes.NewReader(out.Bytes()))
	r.ContentLength = int64(out.Len())
	r.Header.Set("Content-Type", form.FormDataContentType())
	return nil
}
