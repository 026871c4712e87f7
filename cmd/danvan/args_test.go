package main

import "testing"

// Arguments a command would otherwise ignore or take silently are errors:
// an invitation that is already expired, a status that no ticket can
// have, words after the flags.
func TestBadArgumentsAreRefused(t *testing.T) {
	newDatabase(t)
	if _, err := runCLI(t, "admin", "import", writeFile(t, "org.yaml", orgBefore)); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "admin", "invite", "-unit", "tiep-nhan", "-role", "leader", "-ttl", "72h"); err != nil {
		t.Fatalf("a valid invite: %v", err)
	}
	for _, args := range [][]string{
		{"admin", "invite", "-unit", "tiep-nhan", "-ttl", "0s"},
		{"admin", "invite", "-unit", "tiep-nhan", "-ttl", "-1h"},
		{"admin", "invite", "-unit", "tiep-nhan", "leader"},
		{"admin", "officers", "tiep-nhan"},
		{"ticket", "list", "-status", "answred"},
		{"ticket", "list", "tiep-nhan"},
	} {
		if out, err := runCLI(t, args...); err == nil {
			t.Errorf("danvan %q succeeded:\n%s", args, out)
		}
	}
	if _, err := runCLI(t, "ticket", "list", "-status", "answered"); err != nil {
		t.Errorf("ticket list -status answered: %v", err)
	}
}
