package demo

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"testing"
)

// `danvan demo -reset` while a sandbox already runs on the port fails
// without deleting that sandbox's data.
func TestResetKeepsARunningSandboxsData(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	kept := filepath.Join(dir, "clock.json")
	if err := os.WriteFile(kept, []byte(`{"shifts":[],"workdays":0}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = Run(context.Background(), Options{Listen: busy.Addr().String(), DataDir: dir, Reset: true})
	if err == nil {
		t.Fatal("the sandbox started on a busy port")
	}
	if _, statErr := os.Stat(kept); statErr != nil {
		t.Fatalf("-reset on a busy port (%v) deleted the running sandbox's data: %v", err, statErr)
	}
}
