package bench

// sweep runs the open loop at each offered load.
func sweep(ctx interface{ Err() error }, opts Options, rates []float64, baseline float64, run func(Options) (Result, error)) (Result, error) {
	out := Result{Mode: "sweep", Flags: flagsOf(&opts), BaselineInsertTPS: baseline}
	for _, rate := range rates {
		o := opts
		o.Rate = rate
		r, err := run(o)
		r.finish(baseline)
		out.Sweep = append(out.Sweep, r)
		if err != nil {
			return out, err
		}
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}
