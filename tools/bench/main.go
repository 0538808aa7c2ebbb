// Command bench is `make bench`: it measures the provider against its floors on the local
// emulator, all in one run, prints one line per goal of the scale issue and writes BENCHMARKS.md.
//
//	go run ./tools/bench -terraform .tools/bin/terraform -null-dir .tools/bin
//
// BENCH_N (default 1000) sets the resource count of lines 1-4, BENCH_MEMBERS (5000) the merchants
// of line 5, BENCH_QPS (20) the emulator limit of line 3, BENCH_BENCHTIME (300x) line 6's
// -benchtime, BENCH_ROUNDS (3) the paired rounds of lines 1 and 4, and BENCH_LINES (e.g.
// "1,2,6") runs only some lines, for quick looks; a partial run prints its table but leaves
// BENCHMARKS.md alone. BENCH_PROVIDER_PKG builds the provider from another main package, such
// as a copy of main.go that writes profiles.
//
// Benchmarks measure; nothing here is a timed assertion, and `make test` never runs it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	terraform := flag.String("terraform", ".tools/bin/terraform", "Terraform CLI to run")
	nullDir := flag.String("null-dir", ".tools/bin", "directory holding the pinned terraform-provider-null")
	out := flag.String("out", "BENCHMARKS.md", "report to write (a full run only)")
	keep := flag.Bool("keep", false, "keep the work directory (configs, logs, states)")
	flag.Parse()

	root, err := os.Getwd()
	if err != nil {
		return err
	}
	b := &bench{root: root, n: envInt("BENCH_N", 1000), members: envInt("BENCH_MEMBERS", 5000),
		qps: float64(envInt("BENCH_QPS", 20)), latency: 30 * time.Millisecond,
		benchtime: envString("BENCH_BENCHTIME", "300x"), rounds: envInt("BENCH_ROUNDS", 3)}
	lines := envString("BENCH_LINES", "")
	want := func(id string) bool {
		return lines == "" || strings.Contains(","+strings.ReplaceAll(lines, " ", "")+",", ","+id+",")
	}

	tfPath, err := filepath.Abs(*terraform)
	if err != nil {
		return err
	}
	nullAbs, err := filepath.Abs(*nullDir)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(nullAbs, "terraform-provider-null")); err != nil {
		return fmt.Errorf("the null provider is missing (run `make bench`, which installs it): %w", err)
	}
	if b.work, err = os.MkdirTemp("", "wxpay-bench-"); err != nil {
		return err
	}
	if *keep {
		fmt.Fprintln(os.Stderr, "work directory:", b.work)
	} else {
		defer os.RemoveAll(b.work)
	}

	started := time.Now()
	step("building the provider and the emulator")
	binDir := filepath.Join(b.work, "bin")
	providerBin, emuBin, err := buildBinaries(root, binDir)
	if err != nil {
		return err
	}
	cliConfig := filepath.Join(b.work, "terraformrc")
	if err := writeCLIConfig(cliConfig, binDir, nullAbs); err != nil {
		return err
	}
	step("starting the emulator")
	if b.emu, err = startEmulator(emuBin, filepath.Join(b.work, "emulator"), filepath.Join(b.work, "emulator.log")); err != nil {
		return err
	}
	defer b.emu.stop()
	b.tf = &tfRunner{terraform: tfPath, cliConfig: cliConfig, providerBin: providerBin, nullDir: nullAbs, env: b.emu.providerEnv()}

	// Line 1 applies the null provider in each of its rounds; lines 2 and 4 need it applied.
	if !wantAny(want, []string{"1", "7", "E"}) && (want("2") || want("4")) {
		if err := b.runNull(); err != nil {
			return err
		}
	}
	steps := []struct {
		ids []string
		fn  func() error
	}{
		{[]string{"1", "7", "E"}, b.line1},
		{[]string{"2"}, b.line2},
		{[]string{"3"}, b.line3},
		{[]string{"4"}, b.line4},
		{[]string{"5"}, b.line5},
		{[]string{"M"}, b.lineM},
		{[]string{"L"}, b.lineL},
		{[]string{"6"}, b.line6},
		{[]string{"E"}, b.emulatorAlone},
	}
	var errs []error
	for _, s := range steps {
		if !wantAny(want, s.ids) {
			continue
		}
		if err := s.fn(); err != nil {
			errs = append(errs, err)
			fmt.Fprintln(os.Stderr, "bench:", err)
		}
	}

	table := b.table()
	fmt.Println()
	fmt.Print(table)
	fmt.Printf("\n%s\n", strings.Join(b.details, "\n"))
	fmt.Printf("\nbench wall time: %s\n", dur(time.Since(started)))
	if lines == "" && len(errs) == 0 {
		if err := b.writeReport(*out, table, tfPath); err != nil {
			return err
		}
		fmt.Println("wrote", *out)
	} else if lines != "" {
		fmt.Println("partial run (BENCH_LINES): " + *out + " left alone")
	}
	return errors.Join(errs...)
}

func wantAny(want func(string) bool, ids []string) bool {
	for _, id := range ids {
		if want(id) {
			return true
		}
	}
	return false
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
		fmt.Fprintf(os.Stderr, "bench: ignoring %s=%q (want a positive whole number)\n", name, v)
	}
	return def
}

func envString(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func step(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "==> %s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func dur(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	default:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
}
