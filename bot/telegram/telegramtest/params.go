package telegramtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

const (
	// maxRequestBody bounds any request: the 50 MB upload limit plus room
	// for the multipart envelope and other fields.
	maxRequestBody = maxUploadSize + 1<<20
	// multipartMemory is how much of a multipart body is kept in memory;
	// the rest spills to temporary files that cleanup removes.
	multipartMemory = 8 << 20
)

// params are the request parameters, merged from the query string and the
// body. Values are strings as in a form; JSON-typed parameters (reply_markup,
// entities, ...) hold their JSON text, whichever encoding the client used.
type params struct {
	values map[string]string
	files  map[string]*uploadedFile
	r      *http.Request
}

type uploadedFile struct {
	name        string
	contentType string
	data        []byte
}

// parseParams accepts the four encodings the Bot API accepts: query string,
// application/x-www-form-urlencoded, application/json and
// multipart/form-data.
func parseParams(w http.ResponseWriter, r *http.Request) (params, *apiError) {
	p := params{values: map[string]string{}, r: r}
	for k, v := range r.URL.Query() {
		if len(v) > 0 {
			p.values[k] = v[0]
		}
	}
	if r.Body == nil || r.Method == http.MethodGet {
		return p, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)

	ct := r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	switch mt {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return p, bodyError(err)
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return p, nil
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return p, badRequest("can't parse JSON object")
		}
		for k, raw := range obj {
			raw = bytes.TrimSpace(raw)
			switch {
			case bytes.Equal(raw, []byte("null")):
				// Treated as absent.
			case len(raw) > 0 && raw[0] == '"':
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					return p, badRequest("can't parse JSON object")
				}
				p.values[k] = s
			default:
				p.values[k] = string(raw)
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(multipartMemory); err != nil {
			return p, bodyError(err)
		}
		for k, v := range r.MultipartForm.Value {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
		for k, fhs := range r.MultipartForm.File {
			if len(fhs) == 0 {
				continue
			}
			fh := fhs[0]
			f, err := fh.Open()
			if err != nil {
				return p, badRequest("failed to read uploaded file")
			}
			data, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				return p, bodyError(err)
			}
			if p.files == nil {
				p.files = map[string]*uploadedFile{}
			}
			p.files[k] = &uploadedFile{name: fh.Filename, contentType: fh.Header.Get("Content-Type"), data: data}
		}
	default:
		// urlencoded, or no content type: ParseForm handles both.
		if err := r.ParseForm(); err != nil {
			return p, bodyError(err)
		}
		for k, v := range r.PostForm {
			if len(v) > 0 {
				p.values[k] = v[0]
			}
		}
	}
	return p, nil
}

func bodyError(err error) *apiError {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return errTooLarge
	}
	return badRequest("failed to read request body")
}

func (p params) cleanup() {
	if p.r != nil && p.r.MultipartForm != nil {
		_ = p.r.MultipartForm.RemoveAll()
	}
}

func (p params) fileSizes() map[string]int {
	if len(p.files) == 0 {
		return nil
	}
	m := make(map[string]int, len(p.files))
	for k, f := range p.files {
		m[k] = len(f.data)
	}
	return m
}

// has reports whether a parameter is present. tgbotapi sends JSON-typed
// parameters it has no value for as the literal "null"; Telegram treats
// that as absent and so does the fake.
func (p params) has(k string) bool {
	v, ok := p.values[k]
	return ok && v != "null"
}

func (p params) str(k string) string {
	if !p.has(k) {
		return ""
	}
	return p.values[k]
}

// int returns an integer parameter; ok is false if it is absent or not a
// number.
func (p params) int(k string) (int64, bool) {
	v := strings.TrimSpace(p.str(k))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		// Telegram also accepts floats such as "5.0" for integer fields.
		f, ferr := strconv.ParseFloat(v, 64)
		if ferr != nil {
			return 0, false
		}
		n = int64(f)
	}
	return n, true
}

func (p params) bool(k string) bool {
	switch strings.ToLower(strings.TrimSpace(p.str(k))) {
	case "true", "1":
		return true
	}
	return false
}

// json decodes a JSON-typed parameter; it reports false if absent.
func (p params) json(k string, v any) (bool, error) {
	if !p.has(k) {
		return false, nil
	}
	return true, json.Unmarshal([]byte(p.values[k]), v)
}
