package demo

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Under root the private PostgreSQL runs as the postgres user, who must be
// able to enter the sandbox's directory and those made for it, even when
// the umask is 077.
func TestMakeDataDirIgnoresUmask(t *testing.T) {
	base := t.TempDir()
	own := filepath.Join(base, "own")
	if err := os.Mkdir(own, 0o700); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(own, "data", "demo")
	old := syscall.Umask(0o077)
	err := makeDataDir(dir)
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{filepath.Join(own, "data"), dir} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: mode %v, want 0755", d, fi.Mode().Perm())
		}
	}
	// A directory that was there before is not loosened.
	if fi, _ := os.Stat(own); fi.Mode().Perm() != 0o700 {
		t.Errorf("%s: mode %v changed", own, fi.Mode().Perm())
	}
	// A second run over a sandbox directory left 0700 fixes it under root.
	if os.Geteuid() == 0 {
		if err := os.Chmod(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := makeDataDir(dir); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o755 {
			t.Errorf("second run: %s mode %v, want 0755", dir, fi.Mode().Perm())
		}
	}
}
