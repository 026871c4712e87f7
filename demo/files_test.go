package demo

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danvan-vn/danvan/bot/telegram/telegramtest"
)

// Documents (the XLSX report) download with their name and type; photos
// show inline.
func TestFileDownload(t *testing.T) {
	api := telegramtest.New(telegramtest.Config{})
	u := telegramtest.User{ID: 1, FirstName: "Lan"}
	doc := api.PushDocument(u, "bao-cao.xlsx", "", []byte("PK\x03\x04 not really a workbook"), "")
	photo := api.PushPhoto(u, nil, "")
	s := &server{api: api}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/file/{id}", s.file)

	get := func(url string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
		return rec
	}
	rec := get("/api/file/" + doc.FileID + "?download=1&name=bao-cao.xlsx")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Disposition"), `filename=bao-cao.xlsx`) ||
		!strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("document: %d %v", rec.Code, rec.Header())
	}
	rec = get("/api/file/" + photo.FileID)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" || rec.Header().Get("Content-Disposition") != "" {
		t.Fatalf("photo: %d %v", rec.Code, rec.Header())
	}
	if rec := get("/api/file/nope"); rec.Code != http.StatusNotFound {
		t.Fatalf("unknown file: %d", rec.Code)
	}
}
