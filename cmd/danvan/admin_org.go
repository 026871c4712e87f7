package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/danvan-vn/danvan/app"
	"github.com/danvan-vn/danvan/config"
	"github.com/danvan-vn/danvan/org"
	"github.com/danvan-vn/danvan/storage"
)

// runAdminImport implements `danvan admin import [-dry-run] FILE`: it makes
// the organisation in the database match FILE and prints what changed.
func runAdminImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin import", flag.ContinueOnError)
	dryRun := fs.Bool("dry-run", false, "validate and show the changes, then roll them back")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: danvan admin import [-dry-run] FILE.yaml\n\n"+
			"Creates or updates the areas, categories, units and routing rules in FILE\n"+
			"and deactivates those it no longer lists, in one transaction.\n"+
			"examples/org.yaml documents the format.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("admin import: exactly one FILE is required")
	}

	// Validate before touching the database: a broken file fails fast,
	// with every problem and its line.
	f, err := parseFile(fs.Arg(0))
	if err != nil {
		return err
	}
	store, closeStore, err := openAdminStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()

	apply := org.Apply
	if *dryRun {
		apply = org.DryRun
	}
	changes, err := apply(ctx, store, f)
	if err != nil {
		return err
	}
	fmt.Print(changes)
	if *dryRun {
		fmt.Println("dry run: nothing was changed")
	}
	return nil
}

// runAdminExport implements `danvan admin export [-o FILE]`: it writes the
// active organisation as a file that `admin import` accepts unchanged.
func runAdminExport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("admin export", flag.ContinueOnError)
	out := fs.String("o", "", "write to this file instead of standard output")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: danvan admin export [-o FILE.yaml]\n\n"+
			"Writes the active areas, categories, units and routing rules as YAML.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := checkOutputDir("-o", *out); err != nil {
		return err
	}

	store, closeStore, err := openAdminStore(ctx)
	if err != nil {
		return err
	}
	defer closeStore()
	f, err := org.Export(ctx, store)
	if err != nil {
		return err
	}
	if *out == "" {
		return f.Write(os.Stdout)
	}
	return writeFileAtomically(*out, f.Write)
}

func parseFile(path string) (*org.File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return org.Parse(path, fh)
}

// openAdminStore connects as the service does (OpenStore also brings the
// schema up to date or refuses an outdated one).
func openAdminStore(ctx context.Context) (*storage.Store, func(), error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, nil, err
	}
	return app.OpenStore(ctx, cfg, newLogger(cfg))
}

// checkOutputDir fails, before any database work, when the directory of
// the file a flag names does not exist ("" names none).
func checkOutputDir(flagName, path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s %s: there is no directory %s", flagName, path, filepath.Dir(path))
	}
	return nil
}

// writeFileAtomically writes through a temporary file in the same
// directory and renames it into place, so an interrupted export never
// leaves a truncated file where an administrator expects a whole one.
func writeFileAtomically(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
