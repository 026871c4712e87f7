package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
)

func openStore(t *testing.T) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestParseCode(t *testing.T) {
	cases := map[string]string{
		"PA-2026-000123": "PA-2026-000123",
		"pa-2026-123":    "PA-2026-000123",
		"PA2026000123":   "PA-2026-000123",
		" pa 2026 5 ":    "PA-2026-000005",
	}
	for in, want := range cases {
		if got, ok := storage.ParseCode(in); !ok || got != want {
			t.Errorf("ParseCode(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "PA", "PA-26-1", "XX-2026-1", "PA-2026-0", "PA-2026-abc", "PA-2026-12345678901"} {
		if got, ok := storage.ParseCode(bad); ok {
			t.Errorf("ParseCode(%q) = %q, want invalid", bad, got)
		}
	}
}

func TestTicketCodesAreUniquePerYearUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c, err := s.TouchCitizen(ctx, "telegram", "1", "1", "A", "vi")
	if err != nil {
		t.Fatal(err)
	}
	// 23:30 UTC on 31 December is already 1 January in Vietnam.
	newYear := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	var wg sync.WaitGroup
	codes := make(chan string, 20)
	for range 20 {
		wg.Go(func() {
			tk, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, Description: "x"}, newYear)
			if err != nil {
				t.Error(err)
				return
			}
			codes <- tk.Code
		})
	}
	wg.Wait()
	close(codes)
	seen := map[string]bool{}
	for code := range codes {
		if seen[code] {
			t.Fatalf("duplicate code %s", code)
		}
		seen[code] = true
	}
	if len(seen) != 20 || !seen["PA-2027-000001"] || !seen["PA-2027-000020"] {
		t.Fatalf("codes = %v", seen)
	}
}

func TestTimelineIsAppendOnly(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c, _ := s.TouchCitizen(ctx, "telegram", "2", "2", "B", "vi")
	tk, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "gop_y", CitizenID: c.ID, Description: "y"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	events, err := s.Events(ctx, tk.ID)
	if err != nil || len(events) != 1 || events[0].Kind != storage.EventCreated || events[0].ToStatus != storage.StatusReceived {
		t.Fatalf("events = %+v, %v", events, err)
	}
	for _, q := range []string{
		`UPDATE ticket_events SET body = 'changed'`,
		`DELETE FROM ticket_events`,
		`TRUNCATE ticket_events CASCADE`,
	} {
		if _, err := s.DB().ExecContext(ctx, q); err == nil {
			t.Errorf("%s succeeded on the timeline", q)
		}
	}
}

func TestNotFoundIsASentinel(t *testing.T) {
	_, err := openStore(t).TicketByCode(context.Background(), "PA-2026-999999")
	if !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}
