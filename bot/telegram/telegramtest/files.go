package telegramtest

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // register decoders for uploaded photos
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// File limits (core.telegram.org/bots/faq and the Bot API).
const (
	maxUploadSize   = 50 << 20 // multipart uploads
	maxPhotoSize    = 10 << 20 // multipart photo uploads
	maxDownloadSize = 20 << 20 // getFile
)

const (
	kindPhoto    = "photo"
	kindDocument = "document"
)

// photoThumbSides are the longest sides of the smaller sizes Telegram makes
// of a photo (types s, m and x).
var photoThumbSides = []int{90, 320, 800}

type storedFile struct {
	id       string // file_id
	uniqueID string // file_unique_id
	kind     string
	path     string // file_path for getFile and downloads
	data     []byte
	width    int
	height   int
	name     string
	mimeType string
	// sizes lists every size of the photo this file belongs to, so that
	// re-sending any size's file_id sends the whole photo.
	sizes []PhotoSize
}

type fileStore struct {
	byID   map[string]*storedFile
	byPath map[string]*storedFile
	seq    int
}

// newIDsLocked makes a file_id and a file_unique_id. Real ids are opaque
// base64url strings; the prefixes mimic theirs (photos "AgAC", documents
// "BQAC") so they look familiar in logs.
func (s *Server) newIDsLocked(kind string) (id, unique string) {
	s.st.files.seq++
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(s.st.files.seq))
	binary.BigEndian.PutUint64(b[8:], rand.Uint64())
	enc := base64.RawURLEncoding.EncodeToString(b[:])
	if kind == kindPhoto {
		return "AgACAgIAAxkBAAI" + enc, "AQAD" + enc[:12]
	}
	return "BQACAgIAAxkBAAI" + enc, "AgAD" + enc[:12]
}

func (s *Server) addFileLocked(f *storedFile) *storedFile {
	f.id, f.uniqueID = s.newIDsLocked(f.kind)
	dir := "documents"
	ext := path.Ext(f.name)
	if f.kind == kindPhoto {
		dir, ext = "photos", ".jpg"
	}
	if ext == "" {
		ext = ".bin"
	}
	f.path = fmt.Sprintf("%s/file_%d%s", dir, s.st.files.seq, ext)
	s.st.files.byID[f.id] = f
	s.st.files.byPath[f.path] = f
	return f
}

// addPhotoLocked stores a photo and its smaller sizes. The largest size
// keeps the original bytes, so a test can compare what it pushed with what
// the bot downloaded; smaller sizes are real downscaled JPEGs.
func (s *Server) addPhotoLocked(data []byte, img image.Image, w, h int) []PhotoSize {
	var sizes []PhotoSize
	for _, side := range photoThumbSides {
		if side >= max(w, h) {
			break
		}
		tw, th := scaleToSide(w, h, side)
		thumb := data
		if img != nil {
			thumb = encodeThumbnail(img, tw, th)
		}
		f := s.addFileLocked(&storedFile{kind: kindPhoto, data: thumb, width: tw, height: th, mimeType: "image/jpeg"})
		sizes = append(sizes, PhotoSize{FileID: f.id, FileUniqueID: f.uniqueID, Width: tw, Height: th, FileSize: len(thumb)})
	}
	f := s.addFileLocked(&storedFile{kind: kindPhoto, data: data, width: w, height: h, mimeType: http.DetectContentType(data)})
	sizes = append(sizes, PhotoSize{FileID: f.id, FileUniqueID: f.uniqueID, Width: w, Height: h, FileSize: len(data)})
	for _, sz := range sizes {
		s.st.files.byID[sz.FileID].sizes = sizes
	}
	return sizes
}

func (s *Server) addDocumentLocked(data []byte, name, mimeType string) *Document {
	if mimeType == "" || mimeType == "application/octet-stream" {
		if t := mime.TypeByExtension(path.Ext(name)); t != "" {
			mimeType = t
		} else {
			mimeType = http.DetectContentType(data)
		}
	}
	if i := strings.IndexByte(mimeType, ';'); i >= 0 {
		mimeType = strings.TrimSpace(mimeType[:i])
	}
	f := s.addFileLocked(&storedFile{kind: kindDocument, data: data, name: name, mimeType: mimeType})
	return &Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: name, MimeType: mimeType, FileSize: len(data)}
}

func scaleToSide(w, h, side int) (int, int) {
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}

// encodeThumbnail downscales img with nearest-neighbour sampling; quality
// does not matter for tests, only that the bytes are a real image.
func encodeThumbnail(img image.Image, w, h int) []byte {
	b := img.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		sy := b.Min.Y + y*b.Dy()/h
		for x := range w {
			dst.Set(x, y, img.At(b.Min.X+x*b.Dx()/w, sy))
		}
	}
	var buf bytes.Buffer
	_ = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 75})
	return buf.Bytes()
}

// SamplePhoto returns a valid PNG of the given size, handy for PushPhoto
// and for sendPhoto tests.
func SamplePhoto(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / max(w, 1)), G: uint8(y * 255 / max(h, 1)), B: 160, A: 255})
		}
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img)
	return buf.Bytes()
}

// photoFromParam resolves the "photo" parameter: an uploaded file or the
// file_id of a photo the fake knows.
func (s *Server) photoFromParam(c *call) ([]PhotoSize, *apiError) {
	if up := c.p.files["photo"]; up != nil {
		if len(up.data) > maxPhotoSize {
			return nil, badRequest("PHOTO_SAVE_FILE_INVALID")
		}
		img, _, err := image.Decode(bytes.NewReader(up.data))
		if err != nil {
			return nil, badRequest("IMAGE_PROCESS_FAILED")
		}
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		if w+h > 10000 || max(w, h) > 20*min(w, h) {
			return nil, badRequest("PHOTO_INVALID_DIMENSIONS")
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.addPhotoLocked(up.data, img, w, h), nil
	}
	f, e := s.fileFromParam(c, kindPhoto)
	if e != nil {
		return nil, e
	}
	return slices.Clone(f.sizes), nil
}

// fileFromParam resolves a file_id (or URL) parameter named after kind.
func (s *Server) fileFromParam(c *call, kind string) (*storedFile, *apiError) {
	ref := strings.TrimSpace(c.p.str(kind))
	if ref == "" {
		return nil, badRequest("there is no %s in the request", kind)
	}
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		// The fake never fetches URLs (it must work offline).
		return nil, badRequest("failed to get HTTP URL content")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.files.byID[ref]
	if f == nil {
		return nil, badRequest("wrong file identifier/HTTP URL specified")
	}
	if f.kind != kind {
		return nil, badRequest("type of file mismatch")
	}
	return f, nil
}

// sendMedia stores a bot message carrying a photo or document.
func (s *Server) sendMedia(c *call, fill func(*Message)) (any, *apiError) {
	caption, ents, e := s.formatCaption(c.p)
	if e != nil {
		return nil, e
	}
	mk, e := optionalMarkup(c.p)
	if e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, e := s.postableChatLocked(c.p, "chat_id")
	if e != nil {
		return nil, e
	}
	replyTo, e := replyToLocked(cs, c.p)
	if e != nil {
		return nil, e
	}
	m := &Message{FromBot: true, Method: c.method, Caption: caption, CaptionEntities: ents,
		RawCaption: c.p.str("caption"), ParseMode: c.p.str("parse_mode"), ReplyToMessageID: replyTo,
		Silent: c.p.bool("disable_notification")}
	fill(m)
	if e := applyMarkupLocked(cs, m, mk); e != nil {
		return nil, e
	}
	s.addMessageLocked(cs, m)
	return s.wireMessageLocked(m), nil
}

func (s *Server) sendPhoto(c *call) (any, *apiError) {
	// Validate the chat before storing an upload, as Telegram does.
	if e := s.peekChat(c); e != nil {
		return nil, e
	}
	sizes, e := s.photoFromParam(c)
	if e != nil {
		return nil, e
	}
	return s.sendMedia(c, func(m *Message) { m.Photo = sizes })
}

func (s *Server) sendDocument(c *call) (any, *apiError) {
	if e := s.peekChat(c); e != nil {
		return nil, e
	}
	var doc *Document
	if up := c.p.files["document"]; up != nil {
		if len(up.data) > maxUploadSize {
			return nil, errTooLarge
		}
		if len(up.data) == 0 {
			return nil, badRequest("file must be non-empty")
		}
		s.mu.Lock()
		doc = s.addDocumentLocked(up.data, up.name, up.contentType)
		s.mu.Unlock()
	} else {
		f, e := s.fileFromParam(c, kindDocument)
		if e != nil {
			return nil, e
		}
		doc = &Document{FileID: f.id, FileUniqueID: f.uniqueID, FileName: f.name, MimeType: f.mimeType, FileSize: len(f.data)}
	}
	return s.sendMedia(c, func(m *Message) { m.Document = doc })
}

// peekChat checks that chat_id resolves and is postable.
func (s *Server) peekChat(c *call) *apiError {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, e := s.postableChatLocked(c.p, "chat_id")
	return e
}

func (s *Server) getFile(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.files.byID[strings.TrimSpace(c.p.str("file_id"))]
	if f == nil {
		return nil, badRequest("invalid file_id")
	}
	if len(f.data) > maxDownloadSize {
		return nil, badRequest("file is too big")
	}
	return map[string]any{
		"file_id":        f.id,
		"file_unique_id": f.uniqueID,
		"file_size":      len(f.data),
		"file_path":      f.path,
	}, nil
}

// serveFile serves /file/bot<token>/<file_path>.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, rest string) {
	start := time.Now()
	rec := Request{At: start, Method: "file"}
	defer func() {
		rec.Duration = time.Since(start)
		s.logRequest(rec)
	}()
	token, filePath, _ := strings.Cut(rest, "/")
	rec.Params = map[string]string{"file_path": filePath}
	if token != s.cfg.Token {
		writeError(w, errUnauthorized)
		rec.Status, rec.Description = errUnauthorized.Code, errUnauthorized.Description
		return
	}
	s.countCall("file")
	c := &call{r: r, method: "file", p: params{values: map[string]string{}}}
	switch outcome := s.applyFaults(w, c); outcome.kind {
	case faultHandled:
		rec.Status, rec.Description = outcome.status, outcome.desc
		return
	case faultAPIError:
		writeError(w, outcome.err)
		rec.Status, rec.Description = outcome.err.Code, outcome.err.Description
		return
	}

	s.mu.Lock()
	f := s.st.files.byPath[filePath]
	s.mu.Unlock()
	if f == nil {
		writeError(w, errNotFound)
		rec.Status, rec.Description = errNotFound.Code, errNotFound.Description
		return
	}
	w.Header().Set("Content-Type", f.mimeType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.data)
	rec.Status = http.StatusOK
}

// File returns the bytes of a stored file (uploaded by the bot or pushed
// by a test).
func (s *Server) File(fileID string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.st.files.byID[fileID]
	if f == nil {
		return nil, false
	}
	return slices.Clone(f.data), true
}

// editMessageMedia replaces the photo or document of a bot message with a
// photo, uploaded ("attach://<part>") or known by file_id, and its
// caption. Telegram allows other media types too; the bot sends none.
func (s *Server) editMessageMedia(c *call) (any, *apiError) {
	var media struct {
		Type      string `json:"type"`
		Media     string `json:"media"`
		Caption   string `json:"caption"`
		ParseMode string `json:"parse_mode"`
	}
	if err := json.Unmarshal([]byte(c.p.str("media")), &media); err != nil || media.Type == "" {
		return nil, badRequest("can't parse InputMedia JSON object")
	}
	if media.Type != kindPhoto {
		return nil, badRequest("the fake edits media into photos only")
	}
	// The photo and caption as sendPhoto would take them.
	photo := &call{r: c.r, method: c.method, p: params{r: c.p.r, files: map[string]*uploadedFile{},
		values: map[string]string{"caption": media.Caption, "parse_mode": media.ParseMode}}}
	if part, ok := strings.CutPrefix(media.Media, "attach://"); ok {
		if c.p.files[part] == nil {
			return nil, badRequest("wrong file identifier/HTTP URL specified")
		}
		photo.p.files[kindPhoto] = c.p.files[part]
	} else {
		photo.p.values[kindPhoto] = media.Media
	}
	sizes, e := s.photoFromParam(photo)
	if e != nil {
		return nil, e
	}
	caption, ents, e := s.formatCaption(photo.p)
	if e != nil {
		return nil, e
	}
	return s.edit(c, func(m *Message, _ [][]InlineButton) *apiError {
		if len(m.Photo) == 0 && m.Document == nil {
			return badRequest("there is no media in the message to edit")
		}
		m.Photo, m.Document = sizes, nil
		m.Caption, m.CaptionEntities, m.RawCaption = caption, ents, media.Caption
		return nil
	})
}
