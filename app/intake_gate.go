package app

import (
	"net/http"
	"sync/atomic"
)

// intakeGate passes webhook deliveries to the webhook handler until intake
// stops, and then refuses them while the replica drains: Telegram retries
// a refused delivery, to another replica behind the load balancer or to
// this one restarted. (The HTTP server itself keeps answering the probes
// and /metrics to the end of the drain.)
type intakeGate struct {
	next   http.Handler
	closed atomic.Bool
}

func (g *intakeGate) close() { g.closed.Store(true) }

func (g *intakeGate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.closed.Load() {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	g.next.ServeHTTP(w, r)
}
