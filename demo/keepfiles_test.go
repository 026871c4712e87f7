package demo

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/danvan-vn/danvan/storage/storagetest"
)

// runOn starts the sandbox on a database and data directory that outlive
// it; stop stops it.
func runOn(t *testing.T, dsn, dir string) (s *sandbox, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{Listen: "127.0.0.1:0", DataDir: dir, DatabaseURL: dsn,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: func(url string) { ready <- url }})
	}()
	stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("the sandbox stopped with %v", err)
		}
	}
	select {
	case url := <-ready:
		return &sandbox{t: t, base: url}, stop
	case err := <-done:
		t.Fatalf("the sandbox did not start: %v", err)
	case <-time.After(time.Minute):
		t.Fatal("the sandbox did not start within a minute")
	}
	return nil, nil
}

// A petition's photo still reaches the officers after the sandbox was
// restarted: the tickets are kept, and so are the photos they refer to.
func TestPhotosSurviveRestart(t *testing.T) {
	dsn, dir := storagetest.NewDatabase(t), t.TempDir()
	s, stop := runOn(t, dsn, dir)
	lan, officer := int64(firstCitizenID), officerID(sampleWard)
	s.expect(lan, 0, "Xin chào")
	s.photographedPetition(lan)
	s.say(lan, "Bỏ qua", "giữ bí mật")
	s.press(lan, "Không cần", "kiểm tra lại")
	code := codeIn(t, s.press(lan, "Gửi phản ánh", "PA-").Text)
	s.expect(officer, 0, "Phản ánh mới", code)
	stop()

	s, stop = runOn(t, dsn, dir)
	defer stop()
	s.say(officer, "/transfer "+code+" ubnd-hai-chau Thuộc địa bàn phường Hải Châu", "Đã chuyển")
	other := officerID("ubnd-hai-chau")
	s.expect(other, 0, code, "chuyển đến")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		photos := 0
		for _, m := range s.messages(other) {
			if m.Photo != nil {
				photos++
			}
		}
		if photos > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("after the restart the transferred petition reached the new unit without its photo")
		}
	}
}
