package demo

import (
	"mime"
	"net/http"
	"path"
	"strings"
)

// file serves a photo or document from the fake's file store. File ids
// never change their content, so the browser may keep them.
func (s *server) file(w http.ResponseWriter, r *http.Request) {
	data, ok := s.api.File(r.PathValue("id"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	// Only what really is an image is shown inline; anything else (the
	// XLSX report) is a download, typed by its name.
	detected := http.DetectContentType(data)
	inline := strings.HasPrefix(detected, "image/") && !r.URL.Query().Has("download")
	ctype, name := detected, path.Base("/"+r.URL.Query().Get("name"))
	if t := mime.TypeByExtension(path.Ext(name)); t != "" && !inline {
		ctype = t
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "private, max-age=86400, immutable")
	if !inline {
		if name == "/" {
			name = "file"
		}
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	w.Write(data)
}
