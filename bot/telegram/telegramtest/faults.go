package telegramtest

import (
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// FaultKind selects what an injected fault does.
type FaultKind int

const (
	// FaultError answers a Telegram-shaped error: Status (default 500) and
	// Description (default "Internal Server Error").
	FaultError FaultKind = iota
	// FaultReset closes the connection without answering (TCP reset).
	FaultReset
	// FaultDelay waits Delay ± Jitter, then handles the call normally.
	// Several matching delay faults add up; a delay also combines with one
	// other fault.
	FaultDelay
	// FaultRawBody answers Status (default 502) with Body (default an
	// nginx-style HTML page): not JSON, as a proxy in front of Telegram may.
	FaultRawBody
	// FaultFlood answers 429 with RetryAfter (default 5) and starts that
	// retry_after period, so early retries are recorded like real ones.
	FaultFlood
)

// Fault describes an injected failure.
type Fault struct {
	// Method is matched case-insensitively; "" matches every method. File
	// downloads use the method name "file".
	Method string
	// ChatID restricts the fault to calls with this chat_id (0: any).
	ChatID int64
	// Times is how many matching calls the fault affects; 0 means until it
	// is removed.
	Times int
	// Probability, when in (0, 1), makes the fault affect each matching
	// call with that probability (calls it spares do not count towards
	// Times); 0 affects every matching call.
	Probability float64
	Kind        FaultKind

	Status      int
	Description string
	RetryAfter  int
	Delay       time.Duration
	Jitter      time.Duration
	Body        string
}

type faultRule struct {
	Fault
	used int
}

func (r *faultRule) matches(c *call) bool {
	if r.Times > 0 && r.used >= r.Times {
		return false
	}
	if r.Method != "" && !strings.EqualFold(r.Method, c.method) {
		return false
	}
	if r.ChatID != 0 && r.ChatID != c.chatID {
		return false
	}
	return r.Probability <= 0 || r.Probability >= 1 || rand.Float64() < r.Probability
}

// InjectFault adds a fault; the returned function removes it.
func (s *Server) InjectFault(f Fault) (remove func()) {
	r := &faultRule{Fault: f}
	s.mu.Lock()
	s.st.faults = append(s.st.faults, r)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, x := range s.st.faults {
			if x == r {
				s.st.faults = append(s.st.faults[:i], s.st.faults[i+1:]...)
				return
			}
		}
	}
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	s.st.faults = nil
	s.mu.Unlock()
}

type faultOutcomeKind int

const (
	faultNone     faultOutcomeKind = iota
	faultHandled                   // the fault wrote (or dropped) the answer itself
	faultAPIError                  // the caller must answer err
)

type faultOutcome struct {
	kind   faultOutcomeKind
	status int
	desc   string
	err    *apiError
}

const badGatewayPage = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n"

// applyFaults runs the faults matching c, in insertion order.
func (s *Server) applyFaults(w http.ResponseWriter, c *call) faultOutcome {
	var (
		delay time.Duration
		hit   *Fault
	)
	s.mu.Lock()
	sends := s.methods[strings.ToLower(c.method)].sends
	for _, r := range s.st.faults {
		if !r.matches(c) {
			continue
		}
		r.used++
		if r.Kind == FaultDelay {
			d := r.Delay
			if r.Jitter > 0 {
				d += time.Duration(rand.Int64N(int64(2*r.Jitter)+1)) - r.Jitter
			}
			delay += max(d, 0)
			continue
		}
		f := r.Fault
		hit = &f
		break
	}
	if hit != nil && hit.Kind == FaultFlood {
		if hit.RetryAfter <= 0 {
			hit.RetryAfter = 5
		}
		s.parkLocked(c, sends, hit.RetryAfter)
	}
	s.mu.Unlock()

	s.sleep(c.r.Context(), delay)
	if hit == nil {
		return faultOutcome{}
	}
	switch hit.Kind {
	case FaultFlood:
		return faultOutcome{kind: faultAPIError, err: tooManyRequests(hit.RetryAfter)}
	case FaultRawBody:
		status, body := hit.Status, hit.Body
		if status == 0 {
			status = http.StatusBadGateway
		}
		if body == "" {
			body = badGatewayPage
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
		return faultOutcome{kind: faultHandled, status: status, desc: "raw body"}
	case FaultReset:
		resetConnection(w)
		return faultOutcome{kind: faultHandled, desc: "connection reset"}
	default:
		status, desc := hit.Status, hit.Description
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if desc == "" {
			desc = http.StatusText(status)
		}
		return faultOutcome{kind: faultAPIError, err: &apiError{Code: status, Description: desc, RetryAfter: hit.RetryAfter}}
	}
}

// resetConnection drops the connection so the client sees a reset rather
// than an HTTP answer.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // net/http closes the connection
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // send RST instead of FIN
	}
	_ = conn.Close()
}
