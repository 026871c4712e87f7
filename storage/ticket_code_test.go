package storage_test

import (
	"context"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// A year's millionth petition gets a code of seven digits; people must
// still be able to type it (/status, /ticket, /resolve all go through
// ParseCode), or the ticket can no longer be followed or handled by code.
func TestTheMillionthCodeOfAYearCanBeTyped(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	c, err := s.TouchCitizen(ctx, "telegram", "1", "1", "A", "vi")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	if _, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, Description: "x"}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().ExecContext(ctx, `SELECT setval('ticket_code_2026', 999999)`); err != nil {
		t.Fatal(err)
	}
	tk, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, Description: "y"}, now)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := storage.ParseCode(tk.Code)
	if !ok || got != tk.Code {
		t.Fatalf("ParseCode(%q) = %q, %v: the ticket's own code is not recognised", tk.Code, got, ok)
	}
	if _, err := s.TicketByCode(ctx, got); err != nil {
		t.Fatal(err)
	}
}
