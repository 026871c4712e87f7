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
		{"CCCD 048095001234, thường trú tổ 5", "", true},
		{"Tôi là Nguyễn Văn An, sống ở tổ 5.", "Nguyễn Văn An", true},
		{"tôi ten la nguyen van an", "Nguyễn Văn An", true},
		// Amounts, dates, house numbers and a one-word name say nothing.
		{"Đền bù 150.000.000 đồng, chưa nhận từ ngày 12.05.2026", "", false},
		{"Nhà số 12 - kiệt 45 đường Núi Thành", "", false},
		{"An ninh trật tự kém", "An", false},
		{"Ông Nguyễn Văn Ánh ở tổ 5 đổ rác", "Nguyễn Văn An", false},
	} {
		if got := namesSender(c.text, c.name); got != c.want {
			t.Errorf("namesSender(%q, %q) = %v, want %v", c.text, c.name, got, c.want)
		}
	}
}
