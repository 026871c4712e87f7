package storage_test

import (
	"syscall"
	"testing"
	"time"
)

// A lead whose server has gone silent (its process stopped here, as a
// partition or a failover that moved the address would leave it) is found
// lost within the check's bound, and released without waiting for the
// connection to die, so a standby's role is not contested for minutes and
// shutdown does not hang.
func TestALeadOnASilentServerIsFoundLostInTime(t *testing.T) {
	s := openStore(t)
	lead, ok, err := s.TryLead(t.Context(), "silent")
	if err != nil || !ok {
		t.Fatalf("taking the role: %v, %v", ok, err)
	}
	pid, err := lead.BackendPID(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatalf("stopping the lead's server process %d (the test needs the local cluster): %v", pid, err)
	}
	defer syscall.Kill(pid, syscall.SIGCONT)

	start := time.Now()
	if err := lead.Check(t.Context()); err == nil {
		t.Fatal("the check of a silent lead passed")
	}
	lead.Release(t.Context())
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the check and release took %v", took)
	}
}
