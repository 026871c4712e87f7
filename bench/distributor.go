package bench

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// distributor is the load balancer in front of the webhook replicas: the
// fake Bot API posts every update to it, and it forwards the update to
// the replicas round-robin, failing over to the next one on a connection
// error. When no replica answers it says 502, so the fake retries later.
type distributor struct {
	fleet  *fleet
	client *http.Client
	next   atomic.Uint64

	forwarded, failovers, unavailable atomic.Int64
}

func newDistributor(f *fleet) *distributor {
	return &distributor{fleet: f, client: &http.Client{Timeout: 15 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}}}
}

func (d *distributor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	live := d.fleet.live()
	start := int(d.next.Add(1))
	for i := range live {
		rep := live[(start+i)%len(live)]
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, "http://"+rep.addr+r.URL.Path, bytes.NewReader(body))
		if err != nil {
			break
		}
		req.Header = r.Header.Clone()
		resp, err := d.client.Do(req)
		if err != nil {
			d.failovers.Add(1)
			continue
		}
		d.forwarded.Add(1)
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	d.unavailable.Add(1)
	http.Error(w, "no replica answered", http.StatusBadGateway)
}
