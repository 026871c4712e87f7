package handlers_test

// These tests need "report" in the command table (service.go):
//
//	"report": s.staffOnly(s.cmdReport),

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/danvan-vn/danvan/bot"
	"github.com/danvan-vn/danvan/report"
)

// reportFile returns the document among the messages, opened.
func reportFile(t *testing.T, out []bot.Outgoing) (bot.Outgoing, *excelize.File) {
	t.Helper()
	for _, o := range out {
		if o.Kind == bot.KindDocument {
			f, err := excelize.OpenReader(bytes.NewReader(o.Content))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return o, f
		}
	}
	t.Fatalf("no document in %+v", out)
	return bot.Outgoing{}, nil
}

// xlsxText is every part of the workbook, unzipped.
func xlsxText(t *testing.T, content []byte) string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(content), int64(len(content)))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(&b, r)
		r.Close()
	}
	return b.String()
}

// column returns the values of a column of a sheet, header included.
func column(t *testing.T, f *excelize.File, sheet string, col int) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		if len(r) > col {
			out = append(out, r[col])
		} else {
			out = append(out, "")
		}
	}
	return out
}

func summaryRow(t *testing.T, f *excelize.File, unitCode string) []string {
	t.Helper()
	rows, err := f.GetRows(report.SheetSummary, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if len(r) > 1 && r[1] == unitCode {
			return append(r, make([]string, 12)...)
		}
	}
	t.Fatalf("no summary row for %s", unitCode)
	return nil
}

func TestReportIsForLeadersAndAdmins(t *testing.T) {
	w := newWorld(t)
	w.seedOrg()
	officer := w.staff(2101, "ubnd-hoa-cuong", "officer")
	leader := w.staff(2102, "ubnd-hoa-cuong", "leader")
	admin := w.staff(2103, "ubnd-tp", "admin")
	c := w.citizen(3101)

	answered := c.file("Phường Hòa Cường", "Cống thoát nước đường Núi Thành bị tắc")
	secret := c.file("Phường Hòa Cường", "Bí mật: cán bộ phường nhận tiền của hộ kinh doanh")
	w.exec(`UPDATE tickets SET confidential = true WHERE code = $1`, secret)
	other := c.file("Phường Hải Châu", "Vỉa hè đường Hùng Vương bị lấn chiếm")
	officer.says("/resolve " + answered + " Đã nạo vét cống.")
	c.presses("Rất hài lòng")
	w.sent()

	mustContain(t, c.says("/report"), "chỉ dành cho cán bộ")
	mustContain(t, officer.says("/report"), "chỉ dành cho lãnh đạo")

	// A leader: this month to date, the unit's subtree only.
	out := leader.says("/report")
	doc, f := reportFile(t, out)
	if doc.FileName != "bao-cao-2026-11-01_2026-11-23.xlsx" || doc.ChatID != leader.id {
		t.Fatalf("document %q to %s", doc.FileName, doc.ChatID)
	}
	if got := f.GetSheetList(); len(got) != 3 || got[0] != "Tổng hợp" || got[1] != "Phản ánh" || got[2] != "Tiếp công dân" {
		t.Fatalf("sheets = %q", got)
	}
	hc := summaryRow(t, f, "ubnd-hoa-cuong")
	if hc[2] != "UBND phường Hòa Cường" || hc[3] != "2" || hc[4] != "1" || hc[5] != "1" || hc[6] != "1" || hc[9] != "5" {
		t.Errorf("summary = %q", hc)
	}
	codes := strings.Join(column(t, f, report.SheetTickets, 1), " ")
	if !strings.Contains(codes, answered) || !strings.Contains(codes, secret) || strings.Contains(codes, other) {
		t.Errorf("tickets = %s", codes)
	}
	all := xlsxText(t, doc.Content)
	for _, private := range []string{"nhận tiền", "Người dân 3101", "Hải Châu"} {
		if strings.Contains(all, private) {
			t.Errorf("the leader's report contains %q", private)
		}
	}
	if !strings.Contains(all, "Cống thoát nước đường Núi Thành bị tắc") || !strings.Contains(all, "(bảo mật)") {
		t.Error("ticket descriptions missing")
	}
	mustContain(t, out, "Báo cáo từ 01/11/2026 đến 23/11/2026", "UBND phường Hòa Cường",
		"Tiếp nhận: 2", "Đã trả lời: 1, đúng hạn 100,0%", "Quá hạn: 0", "5,00/5 (1 lượt đánh giá)")

	// An administrator: everything; a range reaching past today stops today.
	out = admin.says("/report 01/11/2026 2026-12-31")
	doc, f = reportFile(t, out)
	if doc.FileName != "bao-cao-2026-11-01_2026-11-23.xlsx" {
		t.Errorf("file name = %q", doc.FileName)
	}
	if codes := strings.Join(column(t, f, report.SheetTickets, 1), " "); !strings.Contains(codes, other) {
		t.Errorf("the administrator's report lacks %s: %s", other, codes)
	}
	mustContain(t, out, "tất cả đơn vị", "Tiếp nhận: 3")

	// A past period with nothing in it still makes a report.
	_, f = reportFile(t, admin.says("/report 2026-01-01 2026-06-30"))
	if hc := summaryRow(t, f, "ubnd-hoa-cuong"); hc[3] != "0" || hc[6] != "" {
		t.Errorf("empty period summary = %q", hc)
	}

	for _, bad := range []string{"/report 2026-06-30 2026-01-01", "/report hôm-qua", "/report 2026-01-01", "/report 2027-01-01 2027-01-31"} {
		out := admin.says(bad)
		mustContain(t, out, "/report NGÀY-ĐẦU NGÀY-CUỐI")
		if len(out) != 1 {
			t.Errorf("%s: %d messages", bad, len(out))
		}
	}

	// In English.
	w.exec(`UPDATE citizens SET language = 'en' WHERE user_id = $1`, admin.id)
	mustContain(t, admin.says("/report"), "Statistics from 01/11/2026 to 23/11/2026", "Received: 3",
		"on time 100.0%", "5.00/5 (1 ratings)")

	// Never into a group.
	out = admin.sends(func(e *bot.Event) {
		e.Chat = bot.Chat{ID: "-1002101", Group: true}
		e.Command = "report"
	})
	mustContain(t, out, "private chat")
	for _, o := range out {
		if o.Kind == bot.KindDocument {
			t.Fatal("a report was sent to a group")
		}
	}
}
