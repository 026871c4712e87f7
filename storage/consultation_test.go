package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage"
)

// A consultation takes comments in its period until its synthesis is
// published; the synthesis is recorded once, and its commenters are
// listed once each.
func TestConsultationLifecycle(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	var unitID int64
	if err := s.DB().QueryRowContext(ctx,
		`INSERT INTO units (code, name) VALUES ('ubnd-hoa-cuong', 'UBND phường Hòa Cường') RETURNING id`).Scan(&unitID); err != nil {
		t.Fatal(err)
	}
	opens := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c, err := s.CreateConsultation(ctx, storage.NewConsultation{UnitID: unitID, Title: "Quy hoạch công viên",
		Link: "https://example.org/du-thao", OpensAt: opens, ClosesAt: opens.AddDate(0, 0, 20)}, opens)
	if err != nil {
		t.Fatal(err)
	}
	if c.UnitCode != "ubnd-hoa-cuong" || c.Comments != 0 || c.PublishedAt.Valid {
		t.Fatalf("created %+v", c)
	}
	if c.OpenAt(opens.Add(-time.Second)) || !c.OpenAt(opens) || c.OpenAt(c.ClosesAt) {
		t.Fatal("OpenAt is wrong at the period's ends")
	}
	if _, err := s.CreateConsultation(ctx, storage.NewConsultation{UnitID: unitID, Title: "Không nội dung",
		OpensAt: opens, ClosesAt: opens.AddDate(0, 0, 20)}, opens); err == nil {
		t.Fatal("a consultation with neither summary nor link was created")
	}
	open, err := s.OpenConsultations(ctx, opens.AddDate(0, 0, 1), 10)
	if err != nil || len(open) != 1 || open[0].ID != c.ID {
		t.Fatalf("open = %+v, %v", open, err)
	}
	if open, _ := s.OpenConsultations(ctx, c.ClosesAt, 10); len(open) != 0 {
		t.Fatalf("open after the period: %+v", open)
	}

	a, _ := s.TouchCitizen(ctx, "telegram", "1", "1", "A", "vi")
	b, _ := s.TouchCitizen(ctx, "telegram", "2", "2", "B", "en")
	for _, who := range []int64{a.ID, a.ID, b.ID} {
		tk, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "gop_y", CitizenID: who, UnitID: unitID,
			Description: "Nên thêm cây xanh", ConsultationID: c.ID}, opens.AddDate(0, 0, 2))
		if err != nil || tk.ConsultationID.Int64 != c.ID {
			t.Fatalf("comment %+v, %v", tk, err)
		}
	}
	people, err := s.Commenters(ctx, c.ID)
	if err != nil || len(people) != 2 {
		t.Fatalf("commenters = %+v, %v", people, err)
	}

	at := c.ClosesAt.Add(time.Hour)
	err = s.InTx(ctx, func(tx *storage.Store) error {
		if _, err := tx.LockConsultation(ctx, c.ID); err != nil {
			return err
		}
		return tx.PublishSynthesis(ctx, c.ID, "Tiếp thu ý kiến trồng thêm cây xanh.", at)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PublishSynthesis(ctx, c.ID, "again", at); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("a second synthesis: %v, want ErrNotFound", err)
	}
	all, err := s.Consultations(ctx)
	if err != nil || len(all) != 1 || all[0].Comments != 3 || all[0].Synthesis.String != "Tiếp thu ý kiến trồng thêm cây xanh." || all[0].OpenAt(opens.AddDate(0, 0, 1)) {
		t.Fatalf("listed %+v, %v", all, err)
	}
	if _, err := s.ConsultationByID(ctx, 999); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown consultation: %v", err)
	}
}
