package bench

import (
	"math"
	"strings"
	"testing"
)

// -fault api makes 10% of calls fail, a third of them each way: the
// fake draws its faults one after another, each from the calls the
// earlier ones spared.
func TestAPIFaultsFailTenPercentOfCalls(t *testing.T) {
	spared, shares := 1.0, []float64{}
	for _, f := range apiFaults() {
		shares = append(shares, spared*f.Probability)
		spared *= 1 - f.Probability
	}
	if failed := 1 - spared; math.Abs(failed-0.10) > 1e-9 {
		t.Errorf("%.4f of calls fail, want 0.10", failed)
	}
	for i, s := range shares {
		if math.Abs(s-0.10/3) > 1e-9 {
			t.Errorf("fault %d strikes %.4f of calls, want a third of 10%%", i, s)
		}
	}
}

// -fault kill must kill a running bot -kills times: a kill of a bot that
// had already died (its restart failed) or one the run ended before is
// no kill, and the run fails.
func TestKillFaultReportsKillsThatDidNotHappen(t *testing.T) {
	ok := &faultReport{Mode: FaultKill, Planned: 5, Kills: 5, Restarted: 5, Injected: []faultEvent{{What: "kill"}}}
	if why := ok.failure(); why != "" {
		t.Fatalf("five kills fail: %s", why)
	}
	for _, r := range []*faultReport{
		{Mode: FaultKill, Planned: 5, Kills: 3, Restarted: 3},
		{Mode: FaultKill, Planned: 5, Kills: 5, Restarted: 4, Injected: []faultEvent{{What: "kill", Error: "bot replica 0 not healthy within 1m0s"}}},
		{Mode: FaultPGRestart, Injected: []faultEvent{{What: "pgrestart", Error: "pg_ctl: could not start server"}}},
	} {
		if why := (Result{Faults: r}).Failure(); !strings.Contains(why, "fault not injected as claimed") {
			t.Errorf("%+v: Failure() = %q", r, why)
		}
	}
}
