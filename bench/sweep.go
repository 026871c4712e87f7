package bench

import "context"

// sweep runs the open loop at each offered load and draws the chart.
func sweep(ctx context.Context, opts Options, rates []float64, baseline baselineFigures, run func(Options) (Result, error)) (Result, error) {
	out := Result{Mode: "sweep", Flags: flagsOf(&opts)}
	out.finish(baseline)
	var err error
	for _, rate := range rates {
		o := opts
		o.Rate = rate
		var r Result
		r, err = run(o)
		r.finish(baseline)
		out.Sweep = append(out.Sweep, r)
		if err != nil || ctx.Err() != nil {
			break
		}
	}
	if len(out.Sweep) > 0 && opts.Chart != "" {
		if cerr := writeSweepChart(opts.Chart, out.Sweep, baseline.tps); cerr != nil && err == nil {
			err = cerr
		}
		out.Chart = opts.Chart
	}
	return out, err
}
