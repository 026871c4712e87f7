package digesttest

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Categories are the codes (seeded by the migrations) that Random uses,
// with their names.
var Categories = map[string]string{
	"dat-dai":    "Đất đai",
	"moi-truong": "Môi trường",
	"giao-thong": "Giao thông và hạ tầng",
	"an-ninh":    "An ninh trật tự",
}

// Random builds a fixture around the week ending at to: a small tree
// (two provinces, one with departments and communes, one commune
// inactive), leaders, and tickets spread from 10 weeks before to to a few
// days after, with every combination of statuses, deadlines, answers,
// ratings given and changed, reopenings, missing units, categories and
// areas. On top of the random tickets come hand-made ones that sit on the
// boundaries (created exactly at the start or the end of the week, answered
// exactly at the deadline, due exactly at the end) and hot spots just
// above and below the rule.
func Random(seed uint64, to time.Time) Fixture {
	r := rand.New(rand.NewPCG(seed, 7))
	f := Fixture{
		Areas: []Area{{"hoa-cuong", "Phường Hòa Cường"}, {"thac-gian", "Phường Thạc Gián"}, {"son-tra", "Phường Sơn Trà"}, {"hoa-vang", "Xã Hòa Vang"}},
		Units: []Unit{
			{Code: "tinh", Name: "UBND thành phố Đà Nẵng"},
			{Code: "so-tnmt", Name: "Sở Tài nguyên và Môi trường", Parent: "tinh"},
			{Code: "xa-hc", Name: "UBND phường Hòa Cường", Parent: "so-tnmt"},
			{Code: "xa-tg", Name: "UBND phường Thạc Gián", Parent: "so-tnmt", Inactive: true},
			{Code: "so-gt", Name: "Sở Giao thông vận tải", Parent: "tinh"},
			{Code: "xa-st", Name: "UBND phường Sơn Trà", Parent: "so-gt"},
			{Code: "khac", Name: "UBND tỉnh Quảng Nam"},
		},
		Leaders: []Leader{
			{Unit: "tinh", ChatID: "101"},
			{Unit: "tinh", ChatID: "102", Language: "en"},
			{Unit: "so-tnmt", ChatID: "103"},
			{Unit: "xa-hc", ChatID: "104", Revoked: true}, // no active leader: no digest
			{Unit: "xa-st", ChatID: "105", Role: "officer"},
			{Unit: "khac", ChatID: "106"},
		},
	}
	units := []string{"tinh", "so-tnmt", "xa-hc", "xa-tg", "so-gt", "xa-st", "khac", ""}
	categories := []string{"dat-dai", "moi-truong", "giao-thong", "an-ninh", ""}
	areas := []string{"hoa-cuong", "thac-gian", "son-tra", "hoa-vang", ""}
	open := []string{"received", "accepted", "in_progress", "awaiting_info", "transferred", "reopened"}
	start := to.Add(-10 * 7 * 24 * time.Hour)
	span := to.Add(3*24*time.Hour).Sub(start) / time.Second
	at := func(from time.Time, maxDays int) time.Time {
		return from.Add(time.Duration(r.Int64N(int64(maxDays)*86400)) * time.Second)
	}
	for i := range 700 {
		t := Ticket{
			Code:     fmt.Sprintf("PA-R-%04d", i),
			Unit:     units[r.IntN(len(units))],
			Category: categories[r.IntN(len(categories))],
			Area:     areas[r.IntN(len(areas))],
			Created:  start.Add(time.Duration(r.Int64N(int64(span))) * time.Second),
			Urgent:   i%9 == 0, // not drawn: the stream, and so the other figures, stay as they were
		}
		if r.IntN(10) > 0 {
			t.Due = at(t.Created.Add(-24*time.Hour), 16) // now and then before creation
		}
		switch x := r.IntN(20); {
		case x < 11:
			t.Answered = at(t.Created, 12)
			t.Status = []string{"answered", "completed", "completed"}[r.IntN(3)]
			if t.Status == "completed" {
				t.Closed = t.Answered.Add(time.Hour)
			}
			if r.IntN(3) > 0 {
				t.Rating = 1 + r.IntN(5)
				rated := at(t.Answered, 5)
				t.Events = append(t.Events, Event{At: rated, Kind: "rated", ToStatus: "completed"})
				if r.IntN(4) == 0 { // rated again later; the ticket keeps the latest rating
					t.Events = append(t.Events, Event{At: at(rated, 10), Kind: "rated", ToStatus: "completed"})
				}
			}
		case x < 12:
			t.Status = "rejected"
			t.Closed = at(t.Created, 3)
		default:
			t.Status = open[r.IntN(len(open))]
			if t.Status == "reopened" || r.IntN(8) == 0 {
				t.Answered = at(t.Created, 10) // answered once, then reopened
			}
		}
		if r.IntN(8) == 0 {
			reopened := at(t.Created, 14)
			t.Events = append(t.Events, Event{At: reopened, Kind: "reopened", ToStatus: "reopened"})
			if r.IntN(3) == 0 { // twice in a few hours: one reopened ticket
				t.Events = append(t.Events, Event{At: reopened.Add(2 * time.Hour), Kind: "rated", ToStatus: "reopened"})
			}
		}
		f.Tickets = append(f.Tickets, t)
	}
	from := to.Add(-7 * 24 * time.Hour)
	edge := func(code string, t Ticket) {
		t.Code, t.Unit = code, "xa-hc"
		if t.Status == "" {
			t.Status = "in_progress"
		}
		f.Tickets = append(f.Tickets, t)
	}
	edge("PA-E-START", Ticket{Created: from, Category: "an-ninh"})
	edge("PA-E-END", Ticket{Created: to, Category: "an-ninh"})
	edge("PA-E-ONTIME", Ticket{Created: from.Add(-24 * time.Hour), Due: from.Add(time.Hour), Answered: from.Add(time.Hour), Status: "answered"})
	edge("PA-E-DUEEND", Ticket{Created: from, Due: to})
	edge("PA-E-DUEJUST", Ticket{Created: from, Due: to.Add(-time.Microsecond)})
	// Due before the end but created after it: not overdue at that end.
	edge("PA-E-LATER", Ticket{Created: to.Add(time.Hour), Due: to.Add(-2 * time.Hour)})
	edge("PA-E-LATER-PREV", Ticket{Created: from.Add(time.Hour), Due: from.Add(-2 * time.Hour)})
	// Hot spots in Sơn Trà: 5 this week against 2 before (hot); 3 against
	// 6 (exactly twice the average: hot); 3 against 7 (not); 4 against
	// 10 (not).
	hot := func(area, category string, now, before int) {
		for i := range now {
			f.Tickets = append(f.Tickets, Ticket{Code: fmt.Sprintf("PA-H-%s-%s-%d", area, category, i), Unit: "xa-st",
				Area: area, Category: category, Status: "received", Created: at(from, 7)})
		}
		for i := range before {
			f.Tickets = append(f.Tickets, Ticket{Code: fmt.Sprintf("PA-H-%s-%s-b%d", area, category, i), Unit: "xa-st",
				Area: area, Category: category, Status: "completed", Created: at(from.Add(-28*24*time.Hour), 28)})
		}
	}
	hot("son-tra", "moi-truong", 5, 2)
	hot("son-tra", "giao-thong", 3, 6)
	hot("son-tra", "dat-dai", 3, 7)
	hot("hoa-cuong", "giao-thong", 4, 10)
	return f
}
