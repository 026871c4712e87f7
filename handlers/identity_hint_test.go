package handlers

import "testing"

func TestNamesSender(t *testing.T) {
	for _, c := range []struct {
		text, name string
		want       bool
	}{
		{"Gọi cho tôi: 0905 123 456", "", true},
		{"liên hệ +84.905.123.456 khi cần", "", true},
		{"SĐT 0236-3822-123", "", true},
		{"hai số 0905123456 0912345678", "", true},
		{"gọi 0905123456 120 lần không ai nghe", "", true},
		{"CCCD 048095001234, thường trú tổ 5", "", true},
		{"số căn cước 048 095 001 234", "", true},
		{"SĐT0905123456", "", true},
		{"gọi (0236) 3822 123 giờ hành chính", "", true},
		{"(+84) 905 123 456", "", true},
		{"Tôi là Nguyễn Văn An, sống ở tổ 5.", "Nguyễn Văn An", true},
		{"tôi ten la nguyen van an", "An Nguyễn Văn", true},
		// Amounts, dates, house numbers, tax codes, a street named like
		// the sender and a name of two words say nothing.
		{"Đền bù 150.000.000 đồng, chưa nhận từ ngày 12.05.2026", "", false},
		{"Dự án 84.000.000.000 đồng", "", false},
		{"Nhà số 12 - kiệt 45 đường Núi Thành", "", false},
		{"Công ty MST 0401234567 xả thải", "", false},
		{"từ 05.12.2026 10 45 đến nay", "", false},
		{"lúc 08-12-2026 09h, gọi 0905123456", "", true},
		{"mã 10905123456 trên hóa đơn", "", false},
		{"Đường Trần Phú ngập sâu", "Trần Phú", false},
		{"Ông Nguyễn Văn Ánh ở tổ 5 đổ rác", "Nguyễn Văn An", false},
	} {
		if got := namesSender(c.text, c.name); got != c.want {
			t.Errorf("namesSender(%q, %q) = %v, want %v", c.text, c.name, got, c.want)
		}
	}
}
