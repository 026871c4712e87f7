package handlers

import "testing"

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Đường  Nguyễn Huệ bị ngập": "duong nguyen hue bi ngap",
		"MÔI TRƯỜNG":                "moi truong",
		"An ninh trật tự":           "an ninh trat tu",
		// A decomposed (NFD) input folds the same as a composed one.
		"Tho\u0302\u0301ng": "thong",
	}
	for in, want := range cases {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}
