package app

import (
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	_ "github.com/lib/pq"
)

// A database that does not answer makes the replica unready but leaves it
// alive: restarting it would not bring the database back.
func TestProbesWithoutTheDatabase(t *testing.T) {
	db, err := sql.Open("postgres", "postgres://danvan@127.0.0.1:1/danvan?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", liveness)
	ready := &readiness{}
	ready.start(db)
	mux.Handle("GET /readyz", ready)
	for path, want := range map[string]int{"/healthz": http.StatusOK, "/readyz": http.StatusServiceUnavailable} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != want {
			t.Errorf("%s: %d %q, want %d", path, rec.Code, rec.Body, want)
		}
		if path == "/readyz" && !strings.Contains(rec.Body.String(), "database unavailable") {
			t.Errorf("/readyz says %q", rec.Body)
		}
	}
}
