package storage_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/danvan-vn/danvan/storage"
	"github.com/danvan-vn/danvan/workcal"
)

// reportTicket is a ticket of the report fixture. The expected figures are
// computed from these in Go, independently of the SQL.
type reportTicket struct {
	code         string
	unit         string // unit code; "" = not routed
	status       string
	created      time.Time
	due          time.Time // zero: no deadline
	answered     time.Time // zero: not answered
	closed       time.Time
	rating       int
	confidential bool
	description  string
}

func reportVN(m time.Month, d, h, min, sec int) time.Time {
	return time.Date(2026, m, d, h, min, sec, 0, workcal.Location())
}

// The period is the first half of 2026 in Vietnam: [from, to).
var (
	reportFrom   = reportVN(time.January, 1, 0, 0, 0)
	reportTo     = reportVN(time.July, 1, 0, 0, 0)
	reportSecret = "Bí mật: ông Nguyễn Văn A, nhà số 12 kiệt 34"
)

func reportFixture() []reportTicket {
	var zero time.Time
	return []reportTicket{
		// Created at the very start: received, answered on time, rated 5.
		{"PA-2026-000001", "hc", storage.StatusCompleted, reportFrom, reportVN(1, 15, 17, 0, 0), reportVN(1, 10, 9, 0, 0), reportVN(1, 11, 9, 0, 0), 5, false, "Cống thoát nước bị tắc ở đường Núi Thành"},
		// Created the second before: answered late in the period; its rating is not the period's.
		{"PA-2025-000900", "hc", storage.StatusAnswered, reportFrom.Add(-time.Second), reportVN(1, 10, 17, 0, 0), reportVN(1, 12, 8, 0, 0), zero, 4, false, "Rác thải ven sông Hàn"},
		// Answered exactly at the deadline, then reopened (rated 2) with a new deadline that passed: answered on time and overdue.
		{"PA-2026-000002", "hc", storage.StatusReopened, reportVN(2, 1, 8, 0, 0), reportVN(2, 20, 17, 0, 0), reportVN(2, 10, 17, 0, 0), zero, 2, true, reportSecret},
		// No deadline: on time.
		{"PA-2026-000003", "hc", storage.StatusCompleted, reportVN(3, 1, 8, 0, 0), zero, reportVN(3, 5, 8, 0, 0), reportVN(3, 6, 8, 0, 0), 3, false, "Đèn đường hỏng"},
		{"PA-2026-000004", "hc-dc", storage.StatusInProgress, reportVN(4, 1, 8, 0, 0), reportVN(4, 10, 17, 0, 0), zero, zero, 0, false, "Lấn chiếm đất công"},
		// Created an hour before the end, due exactly at the end: not overdue.
		{"PA-2026-000005", "hc-dc", storage.StatusReceived, reportVN(6, 30, 23, 0, 0), reportTo, zero, zero, 0, false, "Tranh chấp ranh giới thửa đất"},
		// Created at the end: outside the period.
		{"PA-2026-000006", "hc", storage.StatusReceived, reportTo, reportVN(7, 2, 17, 0, 0), zero, zero, 0, false, "Ngoài kỳ báo cáo"},
		// An old open ticket, overdue since December.
		{"PA-2025-000800", "hc", storage.StatusAccepted, time.Date(2025, 11, 3, 8, 0, 0, 0, workcal.Location()), time.Date(2025, 12, 1, 17, 0, 0, 0, workcal.Location()), zero, zero, 0, false, "Ô nhiễm tiếng ồn"},
		// Rejected without an answer: received only.
		{"PA-2026-000007", "hc", storage.StatusRejected, reportVN(1, 5, 8, 0, 0), reportVN(1, 15, 17, 0, 0), zero, reportVN(1, 6, 8, 0, 0), 0, false, "Không thuộc thẩm quyền"},
		// An inactive unit with a late answer in the last minute of the period.
		{"PA-2026-000008", "cu", storage.StatusAnswered, reportVN(2, 2, 8, 0, 0), reportVN(2, 12, 17, 0, 0), reportVN(6, 30, 23, 59, 0), zero, 0, true, reportSecret},
		// Not routed to any unit, overdue.
		{"PA-2026-000009", "", storage.StatusReceived, reportVN(5, 5, 8, 0, 0), reportVN(5, 10, 17, 0, 0), zero, zero, 0, false, "Chưa rõ đơn vị"},
		// After the period.
		{"PA-2026-000010", "hch", storage.StatusAnswered, reportVN(7, 3, 8, 0, 0), reportVN(7, 10, 17, 0, 0), reportVN(7, 4, 8, 0, 0), zero, 0, false, "Sau kỳ"},
		// Received in the period, answered exactly at its end (so after it), rated 5.
		{"PA-2026-000011", "tp", storage.StatusCompleted, reportVN(6, 1, 8, 0, 0), reportVN(7, 10, 17, 0, 0), reportTo, reportVN(7, 3, 8, 0, 0), 5, false, "Đề nghị mở rộng đường"},
		// Waiting for the citizen past the deadline under a rule that does not pause the clock: overdue.
		{"PA-2026-000012", "hc", storage.StatusAwaitingInfo, reportVN(6, 1, 8, 0, 0), reportVN(6, 5, 17, 0, 0), zero, zero, 0, false, "Nước sinh hoạt đục"},
		// Answered late: not overdue (answered), not on time.
		{"PA-2026-000013", "hc", storage.StatusAnswered, reportVN(6, 10, 8, 0, 0), reportVN(6, 12, 17, 0, 0), reportVN(6, 20, 8, 0, 0), zero, 0, false, "Cây xanh nghiêng"},
		// Answered exactly at the deadline: on time.
		{"PA-2026-000014", "hc", storage.StatusCompleted, reportVN(3, 2, 8, 0, 0), reportVN(3, 10, 17, 0, 0), reportVN(3, 10, 17, 0, 0), reportVN(3, 11, 8, 0, 0), 0, false, "Biển báo giao thông bị che khuất"},
		// Created before the period, answered exactly at its start: answered in the period.
		{"PA-2025-000950", "hch", storage.StatusAnswered, time.Date(2025, 12, 20, 8, 0, 0, 0, workcal.Location()), reportVN(1, 5, 17, 0, 0), reportFrom, zero, 0, false, "Đèn tín hiệu hỏng"},
	}
}

type reportUnit struct {
	code, name, parent string
	active             bool
}

// The tree: tp > {cu (inactive), hch, hc > hc-dc}, cu2 (inactive, no tickets).
var reportUnits = []reportUnit{
	{"tp", "UBND thành phố Đà Nẵng", "", true},
	{"hc", "UBND phường Hòa Cường", "tp", true},
	{"hch", "UBND phường Hải Châu", "tp", true},
	{"hc-dc", "Tổ địa chính phường Hòa Cường", "hc", true},
	{"cu", "Đơn vị cũ", "tp", false},
	{"cu2", "Đơn vị giải thể", "tp", false},
}

// seedReport loads the fixture and returns the unit ids by code.
func seedReport(t *testing.T, s *storage.Store) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	db := s.DB()
	c, err := s.TouchCitizen(ctx, "telegram", "9", "9", "Nguyễn Văn A", "vi")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, u := range reportUnits {
		var id int64
		err := db.QueryRowContext(ctx, `INSERT INTO units (code, name, parent_id, active) VALUES ($1, $2, $3, $4) RETURNING id`,
			u.code, u.name, sql.NullInt64{Int64: ids[u.parent], Valid: u.parent != ""}, u.active).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		ids[u.code] = id
	}
	var area int64
	if err := db.QueryRowContext(ctx, `INSERT INTO areas (code, name) VALUES ('hoa-cuong', 'Phường Hòa Cường') RETURNING id`).Scan(&area); err != nil {
		t.Fatal(err)
	}
	for _, tk := range reportFixture() {
		_, err := db.ExecContext(ctx, `
			INSERT INTO tickets (code, kind, status, citizen_id, category_id, area_id, unit_id, description, phone,
				confidential, due_at, answered_at, closed_at, rating, created_at, updated_at)
			VALUES ($1, 'phan_anh', $2, $3, (SELECT id FROM categories WHERE code = 'moi-truong'), $4, $5, $6,
				'0905000111', $7, $8, $9, $10, $11, $12, $12)`,
			tk.code, tk.status, c.ID, area, sql.NullInt64{Int64: ids[tk.unit], Valid: tk.unit != ""}, tk.description,
			tk.confidential, reportNullTime(tk.due), reportNullTime(tk.answered), reportNullTime(tk.closed),
			sql.NullInt16{Int16: int16(tk.rating), Valid: tk.rating > 0}, tk.created)
		if err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

func reportNullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

func reportIn(t, from, to time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }

// expectSummary applies the definitions to the fixture.
func expectSummary(units []string) map[string]storage.UnitSummary {
	want := map[string]storage.UnitSummary{}
	for _, u := range units {
		want[u] = storage.UnitSummary{}
	}
	for _, tk := range reportFixture() {
		f, ok := want[tk.unit]
		if !ok {
			continue
		}
		if reportIn(tk.created, reportFrom, reportTo) {
			f.Received++
			if tk.rating > 0 {
				f.Rated++
				f.RatingSum += tk.rating
				if tk.rating >= 3 {
					f.Satisfied++
				}
			}
		}
		if reportIn(tk.answered, reportFrom, reportTo) {
			f.Answered++
			if tk.due.IsZero() || !tk.answered.After(tk.due) {
				f.AnsweredOnTime++
			}
		}
		settled := tk.status == storage.StatusAnswered || tk.status == storage.StatusCompleted || tk.status == storage.StatusRejected
		if tk.created.Before(reportTo) && !settled && !tk.due.IsZero() && tk.due.Before(reportTo) {
			f.Overdue++
		}
		want[tk.unit] = f
	}
	return want
}

func reportFigures(u storage.UnitSummary) storage.UnitSummary {
	u.UnitID, u.UnitCode, u.UnitName, u.Depth = 0, "", "", 0
	return u
}

func TestReportSummary(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	ids := seedReport(t, s)

	got, err := s.ReportSummary(ctx, nil, reportFrom, reportTo)
	if err != nil {
		t.Fatal(err)
	}
	// Tree order, siblings by Vietnamese name; the inactive unit without
	// tickets is left out; unrouted tickets come last.
	var order []string
	for _, u := range got {
		order = append(order, strings.Repeat(">", u.Depth)+u.UnitCode)
	}
	if want := []string{"tp", ">cu", ">hch", ">hc", ">>hc-dc", ""}; !slices.Equal(order, want) {
		t.Fatalf("units = %q, want %q", order, want)
	}
	want := expectSummary([]string{"tp", "cu", "hch", "hc", "hc-dc", ""})
	for _, u := range got {
		if u.UnitCode != "" && u.UnitID != ids[u.UnitCode] {
			t.Errorf("%s: id %d, want %d", u.UnitCode, u.UnitID, ids[u.UnitCode])
		}
		if diff := cmp.Diff(want[u.UnitCode], reportFigures(u)); diff != "" {
			t.Errorf("unit %q (-want +got):\n%s", u.UnitCode, diff)
		}
	}

	// The same figures worked out by hand, so the oracle above is checked too.
	hc := got[3]
	if hc.Received != 7 || hc.Answered != 6 || hc.AnsweredOnTime != 4 || hc.Overdue != 3 || hc.Rated != 3 || hc.RatingSum != 10 || hc.Satisfied != 2 {
		t.Errorf("hc = %+v", hc)
	}
	if r, ok := hc.OnTimeRate(); !ok || r != 4.0/6 {
		t.Errorf("hc on-time rate = %v, %v", r, ok)
	}
	if dc := got[4]; dc.Received != 2 || dc.Overdue != 1 {
		t.Errorf("hc-dc = %+v", dc)
	}
	if hch := got[2]; hch.Received != 0 || hch.Answered != 1 || hch.AnsweredOnTime != 1 {
		t.Errorf("hch = %+v", hch)
	}
	if tp := got[0]; tp.Received != 1 || tp.Answered != 0 || tp.Rated != 1 {
		t.Errorf("tp = %+v", tp)
	}
	total := storage.TotalSummary(got)
	if total.Received != 12 || total.Answered != 8 || total.AnsweredOnTime != 5 || total.Overdue != 5 || total.Rated != 4 || total.Satisfied != 3 {
		t.Errorf("total = %+v", total)
	}
	if r, _ := total.OnTimeRate(); r != 5.0/8 {
		t.Errorf("total on-time rate = %v", r)
	}
	if r, _ := total.AverageRating(); r != 3.75 {
		t.Errorf("total average rating = %v", r)
	}
	if r, _ := total.SatisfactionRate(); r != 0.75 {
		t.Errorf("total satisfaction rate = %v", r)
	}
	if _, ok := got[4].OnTimeRate(); ok {
		t.Errorf("hc-dc answered nothing but has an on-time rate")
	}

	// A leader's subtree: no unrouted row, nothing from elsewhere.
	sub, err := s.UnitSubtree(ctx, ids["hc"])
	if err != nil {
		t.Fatal(err)
	}
	got, err = s.ReportSummary(ctx, sub, reportFrom, reportTo)
	if err != nil {
		t.Fatal(err)
	}
	want = expectSummary([]string{"hc", "hc-dc"})
	if len(got) != 2 || got[0].UnitCode != "hc" || got[1].UnitCode != "hc-dc" {
		t.Fatalf("subtree summary = %+v", got)
	}
	for _, u := range got {
		if diff := cmp.Diff(want[u.UnitCode], reportFigures(u)); diff != "" {
			t.Errorf("subtree unit %q (-want +got):\n%s", u.UnitCode, diff)
		}
	}

	// An empty set is nothing, not everything.
	if got, err := s.ReportSummary(ctx, []int64{}, reportFrom, reportTo); err != nil || len(got) != 0 {
		t.Fatalf("empty scope = %+v, %v", got, err)
	}
}

func TestReportTickets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	ids := seedReport(t, s)

	rows, err := s.ReportTickets(ctx, nil, reportFrom, reportTo)
	if err != nil {
		t.Fatal(err)
	}
	var want []reportTicket
	for _, tk := range reportFixture() {
		if reportIn(tk.created, reportFrom, reportTo) {
			want = append(want, tk)
		}
	}
	slices.SortStableFunc(want, func(a, b reportTicket) int { return a.created.Compare(b.created) })
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(rows), len(want))
	}
	names := map[string]string{}
	for _, u := range reportUnits {
		names[u.code] = u.name
	}
	for i, r := range rows {
		w := want[i]
		if r.Code != w.code || r.Status != w.status || r.Kind != "phan_anh" || r.UnitCode != w.unit || r.UnitName != names[w.unit] {
			t.Errorf("row %d = %+v, want %+v", i, r, w)
		}
		if r.Category != "Môi trường" || r.Area != "Phường Hòa Cường" {
			t.Errorf("%s: category %q, area %q", r.Code, r.Category, r.Area)
		}
		if !r.CreatedAt.Equal(w.created) || r.DueAt.Valid != !w.due.IsZero() || r.DueAt.Valid && !r.DueAt.Time.Equal(w.due) ||
			r.AnsweredAt.Valid != !w.answered.IsZero() || r.ClosedAt.Valid != !w.closed.IsZero() {
			t.Errorf("%s: times %v %v %v %v", r.Code, r.CreatedAt, r.DueAt, r.AnsweredAt, r.ClosedAt)
		}
		if r.Rating.Valid != (w.rating > 0) || int(r.Rating.Int16) != w.rating {
			t.Errorf("%s: rating %v, want %d", r.Code, r.Rating, w.rating)
		}
		wantDesc := w.description
		if w.confidential {
			wantDesc = storage.ConfidentialText
		}
		if r.Description != wantDesc || r.Confidential != w.confidential {
			t.Errorf("%s: description %q, want %q", r.Code, r.Description, wantDesc)
		}
		if onTime := w.due.IsZero() || !w.answered.After(w.due); r.OnTime.Valid != !w.answered.IsZero() || r.OnTime.Valid && r.OnTime.Bool != onTime {
			t.Errorf("%s: on time %v", r.Code, r.OnTime)
		}
		settled := slices.Contains([]string{storage.StatusAnswered, storage.StatusCompleted, storage.StatusRejected}, w.status)
		if overdue := !settled && !w.due.IsZero() && w.due.Before(reportTo); r.Overdue != overdue {
			t.Errorf("%s: overdue %v, want %v", r.Code, r.Overdue, overdue)
		}
	}
	for _, r := range rows {
		if strings.Contains(strings.ToLower(r.Description+r.Category+r.Area+r.UnitName), "nguyễn") {
			t.Fatalf("%s leaks personal data: %+v", r.Code, r)
		}
	}

	// A subtree: its tickets only, oldest first.
	sub, err := s.UnitSubtree(ctx, ids["hc"])
	if err != nil {
		t.Fatal(err)
	}
	rows, err = s.ReportTickets(ctx, sub, reportFrom, reportTo)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, r := range rows {
		codes = append(codes, r.Code)
	}
	wantCodes := []string{"PA-2026-000001", "PA-2026-000007", "PA-2026-000002", "PA-2026-000003", "PA-2026-000014",
		"PA-2026-000004", "PA-2026-000012", "PA-2026-000013", "PA-2026-000005"}
	if !slices.Equal(codes, wantCodes) {
		t.Fatalf("subtree codes = %v, want %v", codes, wantCodes)
	}
}

// A ticket answered while its clock was paused for the citizen, paused
// before its deadline passed, was answered on time: the deadline would
// have moved on by the wait when the clock resumed. One paused once
// already late was not. Reports and digests agree.
func TestAnsweredWhilePausedIsOnTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tk := clockTicket(t, s, now.AddDate(0, 0, -20))
	day := func(n int) time.Time { return now.AddDate(0, 0, n) }
	for _, f := range []struct {
		code                  string
		due, paused, answered time.Time
	}{
		{"PA-2026-000201", day(-3), day(-5), day(-1)},     // paused in time, answered while paused: on time
		{"PA-2026-000202", day(-3), day(-2), day(-1)},     // paused once late: late
		{"PA-2026-000203", day(-3), time.Time{}, day(-1)}, // late
		{"PA-2026-000204", day(-3), time.Time{}, day(-4)}, // on time
	} {
		if _, err := s.DB().ExecContext(ctx, `
			INSERT INTO tickets (code, kind, status, citizen_id, unit_id, description, due_at, paused_at, answered_at, created_at, updated_at)
			SELECT $1, kind, 'answered', citizen_id, unit_id, description, $2, $3, $4, created_at, created_at FROM tickets WHERE id = $5`,
			f.code, f.due, reportNullTime(f.paused), f.answered, tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	onTime := map[string]bool{"PA-2026-000201": true, "PA-2026-000202": false, "PA-2026-000203": false, "PA-2026-000204": true}

	rows, err := s.ReportTickets(ctx, nil, day(-30), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		want, ok := onTime[r.Code]
		if !ok {
			continue
		}
		if r.OnTime != (sql.NullBool{Bool: want, Valid: true}) {
			t.Errorf("report row %s: on time %+v, want %t", r.Code, r.OnTime, want)
		}
	}
	summary, err := s.ReportSummary(ctx, []int64{tk.UnitID.Int64}, day(-30), now)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary[0]; got.Answered != 4 || got.AnsweredOnTime != 2 {
		t.Errorf("report summary: %d answered, %d on time; want 4, 2", got.Answered, got.AnsweredOnTime)
	}
	digest, err := s.DigestFigures(ctx, []int64{tk.UnitID.Int64}, day(-7), now)
	if err != nil {
		t.Fatal(err)
	}
	if got := digest.Current; got.Answered != 4 || got.OnTime != 2 {
		t.Errorf("digest: %d answered, %d on time; want 4, 2", got.Answered, got.OnTime)
	}
}

// A unit dissolved before the period (as many were in the 2025
// reorganisation) keeps its old tickets but has no figures in the
// period: it is left out rather than listed with zeros.
func TestReportSummaryLeavesOutUnitsDissolvedBefore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	ids := seedReport(t, s)
	// cu's one ticket of the period was created in February and answered
	// in June; a year later it has no figures.
	from, to := reportFrom.AddDate(1, 0, 0), reportTo.AddDate(1, 0, 0)
	got, err := s.ReportSummary(ctx, nil, from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range got {
		if u.UnitID == ids["cu"] {
			t.Errorf("the dissolved unit is listed: %+v", u)
		}
	}
	// Still listed in the period it had figures in.
	got, err = s.ReportSummary(ctx, nil, reportFrom, reportTo)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(got, func(u storage.UnitSummary) bool { return u.UnitID == ids["cu"] }) {
		t.Error("the dissolved unit is left out of a period it had figures in")
	}
}

// Reopening gives a ticket a new, later deadline; the answer given before
// stays as late as it was.
func TestALateAnswerStaysLateWhenTheTicketIsReopened(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	tk := clockTicket(t, s, now.AddDate(0, 0, -20))
	if _, err := s.DB().ExecContext(ctx, `UPDATE tickets SET due_at = $2 WHERE id = $1`, tk.ID, now.AddDate(0, 0, -10)); err != nil {
		t.Fatal(err)
	}
	change := func(status string, at time.Time) {
		if _, err := s.ApplyChange(ctx, storage.Change{TicketID: tk.ID, At: at, ActorKind: storage.ActorOfficer,
			Kind: status, ToStatus: status}); err != nil {
			t.Fatal(err)
		}
	}
	change(storage.StatusAnswered, now.AddDate(0, 0, -5)) // five days late
	change(storage.StatusReopened, now.AddDate(0, 0, -4))
	if _, err := s.DB().ExecContext(ctx, `UPDATE tickets SET due_at = $2 WHERE id = $1`, tk.ID, now.AddDate(0, 0, 10)); err != nil {
		t.Fatal(err)
	}
	summary, err := s.ReportSummary(ctx, []int64{tk.UnitID.Int64}, now.AddDate(0, 0, -30), now)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary[0]; got.Answered != 1 || got.AnsweredOnTime != 0 {
		t.Errorf("report summary: %d answered, %d on time; want 1, 0", got.Answered, got.AnsweredOnTime)
	}
	digest, err := s.DigestFigures(ctx, []int64{tk.UnitID.Int64}, now.AddDate(0, 0, -7), now)
	if err != nil {
		t.Fatal(err)
	}
	if got := digest.Current; got.Answered != 1 || got.OnTime != 0 {
		t.Errorf("digest: %d answered, %d on time; want 1, 0", got.Answered, got.OnTime)
	}
}

// receptionBooking is a booking of the reception fixture, with its
// follow-up ticket when received. The expected figures are computed from
// these in Go, independently of the SQL.
type receptionBooking struct {
	unit   string // unit code
	day    workcal.Date
	status string
	// The follow-up ticket of a received booking.
	due, paused, answered time.Time    // zero: none
	verdict               sql.NullBool // answered_on_time as ApplyChange stored it
	ticketUnit            string       // "" = the booking's unit; else transferred there
}

func receptionDay(m time.Month, d int) workcal.Date { return workcal.NewDate(2026, m, d) }

func receptionFixture() []receptionBooking {
	var zero time.Time
	late := sql.NullBool{Bool: false, Valid: true}
	none := sql.NullBool{}
	return []receptionBooking{
		// The first day of the period: received, answered on time.
		{"hc", receptionDay(1, 1), storage.BookingReceived, reportVN(1, 15, 23, 59, 0), zero, reportVN(1, 10, 9, 0, 0), none, ""},
		// The day before the period: out.
		{"hc", workcal.NewDate(2025, 12, 31), storage.BookingReceived, reportVN(1, 14, 23, 59, 0), zero, reportVN(1, 2, 9, 0, 0), none, ""},
		// The last day of the period: received, answered that evening.
		{"hc", receptionDay(6, 30), storage.BookingReceived, reportVN(7, 14, 23, 59, 0), zero, reportVN(6, 30, 23, 0, 0), none, ""},
		// Answered late.
		{"hc", receptionDay(6, 1), storage.BookingReceived, reportVN(6, 15, 23, 59, 0), zero, reportVN(6, 20, 9, 0, 0), none, ""},
		// Received, answered exactly at the end of the period: not answered in it.
		{"hc", receptionDay(6, 25), storage.BookingReceived, reportVN(7, 9, 23, 59, 0), zero, reportTo, none, ""},
		// Received, not answered yet.
		{"hc", receptionDay(6, 29), storage.BookingReceived, reportVN(7, 13, 23, 59, 0), zero, zero, none, ""},
		// Answered late, then reopened with a later deadline: stays late.
		{"hc", receptionDay(3, 5), storage.BookingReceived, reportVN(4, 30, 23, 59, 0), zero, reportVN(3, 25, 9, 0, 0), late, ""},
		// Answered after the deadline while paused for the citizen since before it: on time.
		{"hc", receptionDay(3, 12), storage.BookingReceived, reportVN(3, 26, 23, 59, 0), reportVN(3, 20, 9, 0, 0), reportVN(3, 30, 9, 0, 0), none, ""},
		{"hc", receptionDay(2, 5), storage.BookingCancelled, zero, zero, zero, none, ""},
		{"hc", receptionDay(2, 5), storage.BookingAbsent, zero, zero, zero, none, ""},
		{"hc", receptionDay(2, 12), storage.BookingRefused, zero, zero, zero, none, ""},
		{"hc", receptionDay(2, 19), storage.BookingCalledOff, zero, zero, zero, none, ""},
		{"hc", receptionDay(2, 19), storage.BookingCalledOff, zero, zero, zero, none, ""},
		// A past day no one recorded, and one still to come: awaited.
		{"hc", receptionDay(5, 7), storage.BookingBooked, zero, zero, zero, none, ""},
		{"hc", receptionDay(6, 30), storage.BookingBooked, zero, zero, zero, none, ""},
		// The day after the period: out.
		{"hc", receptionDay(7, 1), storage.BookingBooked, zero, zero, zero, none, ""},
		{"hc-dc", receptionDay(4, 8), storage.BookingRefused, zero, zero, zero, none, ""},
		{"hc-dc", receptionDay(4, 8), storage.BookingCancelled, zero, zero, zero, none, ""},
		// Answered exactly at the deadline by the unit it was transferred
		// to: on time, and counted for the unit that received the citizen.
		{"hch", receptionDay(5, 14), storage.BookingReceived, reportVN(5, 28, 23, 59, 0), zero, reportVN(5, 28, 23, 59, 0), none, "hc"},
		// An inactive unit with a booking in the period is listed; one
		// whose only booking was cancelled is not.
		{"cu", receptionDay(1, 8), storage.BookingAbsent, zero, zero, zero, none, ""},
		{"cu2", receptionDay(1, 8), storage.BookingCancelled, zero, zero, zero, none, ""},
	}
}

// seedReceptions adds the reception fixture to the report fixture.
func seedReceptions(t *testing.T, s *storage.Store, ids map[string]int64) {
	t.Helper()
	ctx := context.Background()
	db := s.DB()
	for i, b := range receptionFixture() {
		// A citizen each: one live booking per citizen, unit and day.
		c, err := s.TouchCitizen(ctx, "telegram", strconv.Itoa(100+i), strconv.Itoa(100+i), "Lê Văn C", "vi")
		if err != nil {
			t.Fatal(err)
		}
		var ticket sql.NullInt64
		if b.status == storage.BookingReceived {
			unit := b.ticketUnit
			if unit == "" {
				unit = b.unit
			}
			status := storage.StatusInProgress
			if !b.answered.IsZero() {
				status = storage.StatusAnswered
			}
			err := db.QueryRowContext(ctx, `
				INSERT INTO tickets (code, kind, status, citizen_id, unit_id, description, due_at, paused_at,
					answered_at, answered_on_time, created_at, updated_at)
				VALUES ($1, 'tiep_dan', $2, $3, $4, 'Kiến nghị tại buổi tiếp', $5, $6, $7, $8, $9, $9) RETURNING id`,
				fmt.Sprintf("TD-2026-%06d", i+1), status, c.ID, ids[unit], reportNullTime(b.due), reportNullTime(b.paused),
				reportNullTime(b.answered), b.verdict, b.day.Start().Add(10*time.Hour)).Scan(&ticket)
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err = db.ExecContext(ctx, `
			INSERT INTO reception_bookings (unit_id, citizen_id, day, starts, ends, place, subject, status, ticket_id, created_at, updated_at)
			VALUES ($1, $2, $3, '07:30', '11:30', 'Phòng tiếp công dân', 'Đất đai', $4, $5, $6, $6)`,
			ids[b.unit], c.ID, b.day.String(), b.status, ticket, b.day.Start().AddDate(0, 0, -3))
		if err != nil {
			t.Fatal(err)
		}
	}
}

// expectReceptions applies the definitions to the fixture for [from, to).
func expectReceptions(units []string, from, to time.Time) map[string]storage.UnitReceptions {
	want := map[string]storage.UnitReceptions{}
	for _, u := range units {
		want[u] = storage.UnitReceptions{}
	}
	for _, b := range receptionFixture() {
		f, ok := want[b.unit]
		// The day's start before to, its end after from.
		if !ok || !b.day.Start().Before(to) || !b.day.AddDays(1).Start().After(from) {
			continue
		}
		switch b.status {
		case storage.BookingCancelled:
			continue
		case storage.BookingReceived:
			f.Received++
			if !b.answered.IsZero() && b.answered.Before(to) {
				f.Answered++
				onTime := b.due.IsZero() || !b.answered.After(b.due) || !b.paused.IsZero() && !b.paused.After(b.due)
				if b.verdict.Valid {
					onTime = b.verdict.Bool
				}
				if onTime {
					f.AnsweredOnTime++
				}
			}
		case storage.BookingAbsent:
			f.Absent++
		case storage.BookingRefused:
			f.Refused++
		case storage.BookingCalledOff:
			f.CalledOff++
		case storage.BookingBooked:
			f.Awaited++
		}
		f.Booked++
		want[b.unit] = f
	}
	return want
}

// receptionFigures compares reception figures, not which unit has them.
var receptionFigures = cmpopts.IgnoreFields(storage.UnitReceptions{}, "UnitID", "UnitCode", "UnitName", "Depth")

func TestReportReceptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := openStore(t)
	ids := seedReport(t, s)
	seedReceptions(t, s, ids)

	// check loads the figures of a scope for [reportFrom, to), with the
	// units in order (">" a level down), and compares them with the oracle.
	check := func(what string, scope []int64, to time.Time, order ...string) []storage.UnitReceptions {
		t.Helper()
		got, err := s.ReportReceptions(ctx, scope, reportFrom, to)
		if err != nil {
			t.Fatal(err)
		}
		var gotOrder, codes []string
		for _, u := range got {
			gotOrder = append(gotOrder, strings.Repeat(">", u.Depth)+u.UnitCode)
		}
		for _, o := range order {
			codes = append(codes, strings.TrimLeft(o, ">"))
		}
		if !slices.Equal(gotOrder, order) {
			t.Fatalf("%s: units = %q, want %q", what, gotOrder, order)
		}
		want := expectReceptions(codes, reportFrom, to)
		for _, u := range got {
			if u.UnitID != ids[u.UnitCode] {
				t.Errorf("%s: %s: id %d, want %d", what, u.UnitCode, u.UnitID, ids[u.UnitCode])
			}
			if diff := cmp.Diff(want[u.UnitCode], u, receptionFigures); diff != "" {
				t.Errorf("%s: unit %q (-want +got):\n%s", what, u.UnitCode, diff)
			}
			if u.Booked != u.Received+u.Absent+u.Refused+u.CalledOff+u.Awaited {
				t.Errorf("%s: %s: the outcomes do not add up to the bookings: %+v", what, u.UnitCode, u)
			}
		}
		return got
	}

	// The summary's units and order, without its unrouted row: the
	// inactive unit without bookings is left out, the one with is in.
	got := check("all", nil, reportTo, "tp", ">cu", ">hch", ">hc", ">>hc-dc")

	// The same figures worked out by hand, so the oracle above is checked too.
	hc := storage.UnitReceptions{Booked: 13, Received: 7, Absent: 1, Refused: 1, CalledOff: 2, Awaited: 2,
		Answered: 5, AnsweredOnTime: 3}
	if diff := cmp.Diff(hc, got[3], receptionFigures); diff != "" {
		t.Errorf("hc by hand (-want +got):\n%s", diff)
	}
	if hch := got[2]; hch.Booked != 1 || hch.Received != 1 || hch.Answered != 1 || hch.AnsweredOnTime != 1 {
		t.Errorf("hch = %+v", hch)
	}
	if dc := got[4]; dc.Booked != 1 || dc.Refused != 1 {
		t.Errorf("hc-dc = %+v", dc)
	}
	if diff := cmp.Diff(storage.UnitReceptions{}, got[0], receptionFigures); diff != "" {
		t.Errorf("tp (-want +got):\n%s", diff)
	}
	total := storage.TotalReceptions(got)
	if diff := cmp.Diff(storage.UnitReceptions{Booked: 16, Received: 8, Absent: 2, Refused: 2, CalledOff: 2, Awaited: 2,
		Answered: 6, AnsweredOnTime: 4}, total); diff != "" {
		t.Errorf("total (-want +got):\n%s", diff)
	}

	// A period ending in the morning of its last day (a report made then)
	// takes that day in; what was answered after its end is not answered.
	got = check("until 30/06 09:00", nil, reportVN(6, 30, 9, 0, 0), "tp", ">cu", ">hch", ">hc", ">>hc-dc")
	if hc := got[3]; hc.Booked != 13 || hc.Answered != 4 || hc.AnsweredOnTime != 2 {
		t.Errorf("until 30/06 09:00: hc = %+v", hc)
	}

	// A leader's subtree.
	sub, err := s.UnitSubtree(ctx, ids["hc"])
	if err != nil {
		t.Fatal(err)
	}
	check("subtree", sub, reportTo, ">hc", ">>hc-dc")

	// An empty set is nothing; an empty period has only zeros.
	check("empty scope", []int64{}, reportTo)
	got = check("empty period", nil, reportFrom, "tp", ">hch", ">hc", ">>hc-dc")
	if total := storage.TotalReceptions(got); total != (storage.UnitReceptions{}) {
		t.Errorf("empty period: total = %+v", total)
	}
}
