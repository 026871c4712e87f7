package bench

import "context"

// sweep runs the open loop at each offered load; Run adds the baseline
// and draws the chart.
func sweep(ctx context.Context, opts Options, rates []float64, run func(Options) (Result, error)) (Result, error) {
	out := Result{Mode: "sweep", Flags: flagsOf(&opts)}
	var err error
	for _, rate := range rates {
		o := opts
		o.Rate = rate
		var r Result
		r, err = run(o)
		out.Sweep = append(out.Sweep, r)
		out.BotConnectionsBusyMax = max(out.BotConnectionsBusyMax, r.BotConnectionsBusyMax)
		out.BotConnectionsOpenMax = max(out.BotConnectionsOpenMax, r.BotConnectionsOpenMax)
		if err != nil || ctx.Err() != nil {
			break
		}
	}
	return out, err
}
