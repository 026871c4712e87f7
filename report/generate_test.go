package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/report"
	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/storage/storagetest"
	"github.com/danvan-vn/danvan/workcal"
)

func openStore(t testing.TB) *storage.Store {
	t.Helper()
	s, err := storage.Open(context.Background(), storagetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Personal data of the fixture that must never reach a report.
const (
	citizenName = "Trần Thị Bích Ngọc"
	phone       = "0905123456"
	secretText  = "Tố giác cán bộ địa chính nhận tiền tại nhà số 7"
	address     = "Kiệt 45 Nguyễn Văn Linh"
)

func TestGenerateKeepsPersonalDataOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	var unitID int64
	if err := s.DB().QueryRowContext(ctx,
		`INSERT INTO units (code, name) VALUES ('ubnd-hc', 'UBND phường Hòa Cường') RETURNING id`).Scan(&unitID); err != nil {
		t.Fatal(err)
	}
	c, err := s.TouchCitizen(ctx, "telegram", "42", "42", citizenName, "vi")
	if err != nil {
		t.Fatal(err)
	}
	created := at(3, 2, 9, 0)
	open, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "phan_anh", CitizenID: c.ID, UnitID: unitID,
		Description: "Đường Lê Văn Hiến ngập sâu sau mưa", Address: address, Phone: phone}, created)
	if err != nil {
		t.Fatal(err)
	}
	secret, err := s.CreateTicket(ctx, storage.NewTicket{Kind: "kien_nghi", CitizenID: c.ID, UnitID: unitID,
		Description: secretText, Phone: phone, Confidential: true}, created.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyChange(ctx, storage.Change{TicketID: secret.ID, At: created.Add(2 * time.Hour),
		ActorKind: storage.ActorSystem, Kind: storage.EventAnswered, ToStatus: storage.StatusAnswered,
		Body: "Đã chuyển cơ quan thanh tra " + citizenName}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApplyChange(ctx, storage.Change{TicketID: secret.ID, At: created.Add(3 * time.Hour),
		ActorKind: storage.ActorCitizen, ActorID: c.ID, Kind: storage.EventRated, ToStatus: storage.StatusCompleted,
		Rating: 4, Body: "Cảm ơn, tôi là " + citizenName}); err != nil {
		t.Fatal(err)
	}
	// A booking for a reception day in the period, its subject the
	// citizen's own words.
	if _, err := s.CreateBooking(ctx, storage.NewBooking{
		Hours: storage.ReceptionHours{UnitID: unitID, Weekday: time.Thursday, Starts: "07:30", Ends: "11:30",
			Place: "Phòng tiếp công dân", Capacity: 10},
		CitizenID: c.ID, Day: workcal.NewDate(2026, 3, 5), Subject: secretText + ", " + address,
	}, created); err != nil {
		t.Fatal(err)
	}
	from, to := at(1, 1, 0, 0), at(7, 1, 0, 0)

	xlsx, err := report.Generate(ctx, s, nil, from, to, report.FormatXLSX)
	if err != nil {
		t.Fatal(err)
	}
	csvData, err := report.Generate(ctx, s, []int64{unitID}, from, to, report.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	everything := unzipped(t, xlsx) + string(csvData)
	for _, private := range []string{citizenName, phone, secretText, address, "Tố giác"} {
		if strings.Contains(everything, private) {
			t.Errorf("the report contains %q", private)
		}
	}

	f := readXLSX(t, xlsx)
	_, row := rowWith(t, f, report.SheetTickets, 1, secret.Code)
	if row[8] != storage.ConfidentialText || row[13] != "4" || row[14] != "Có" {
		t.Errorf("confidential ticket = %q", row)
	}
	_, row = rowWith(t, f, report.SheetTickets, 1, open.Code)
	if row[8] != "Đường Lê Văn Hiến ngập sâu sau mưa" {
		t.Errorf("open ticket = %q", row)
	}
	_, unit := rowWith(t, f, report.SheetSummary, 1, "ubnd-hc")
	if unit[3] != "2" || unit[4] != "1" || unit[6] != "1" || unit[8] != "1" || unit[9] != "4" {
		t.Errorf("unit = %q", unit)
	}

	_, reception := rowWith(t, f, report.SheetReceptions, 1, "ubnd-hc")
	if reception[3] != "1" || reception[4] != "0" || reception[8] != "1" {
		t.Errorf("reception = %q", reception)
	}

	records, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvData, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 3 || records[1][0] != open.Code || records[2][7] != storage.ConfidentialText {
		t.Errorf("csv = %q", records)
	}

	// Nothing of another unit's scope.
	other, err := report.Generate(ctx, s, []int64{unitID + 1000}, from, to, report.FormatCSV)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(other), "PA-") {
		t.Errorf("another scope's report lists tickets:\n%s", other)
	}
}
