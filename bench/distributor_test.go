package bench

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The distributor fails over from a replica that refuses connections to
// one that answers, passes the answer through, and says 502 when no
// replica answers, so the Bot API retries the update.
func TestDistributorFailsOver(t *testing.T) {
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got = append(got, r.URL.Path+" "+r.Header.Get("X-Telegram-Bot-Api-Secret-Token")+" "+string(body))
		w.Write([]byte("ok"))
	}))
	defer up.Close()
	down, err := freeAddr() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	alive := make(chan struct{})
	f := &fleet{replicas: []*replica{{addr: down, done: alive}, {addr: strings.TrimPrefix(up.URL, "http://"), done: alive}}}
	d := newDistributor(f)
	post := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", strings.NewReader(`{"update_id":1}`))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
		rec := httptest.NewRecorder()
		d.ServeHTTP(rec, req)
		return rec
	}
	for range 4 {
		if rec := post(); rec.Code != http.StatusOK || rec.Body.String() != "ok" {
			t.Fatalf("answer %d %q", rec.Code, rec.Body.String())
		}
	}
	if len(got) != 4 || got[0] != `/telegram/webhook s {"update_id":1}` {
		t.Fatalf("the live replica got %q", got)
	}
	if d.failovers.Load() == 0 || d.forwarded.Load() != 4 {
		t.Fatalf("failovers %d, forwarded %d", d.failovers.Load(), d.forwarded.Load())
	}

	up.Close()
	if rec := post(); rec.Code != http.StatusBadGateway || d.unavailable.Load() != 1 {
		t.Fatalf("with no replica answering: %d, unavailable %d", rec.Code, d.unavailable.Load())
	}
}
