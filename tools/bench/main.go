// Command bench is `make bench`: it measures the provider against its floors on the local
// emulator, all in one run, prints one line per goal of the scale issue and writes BENCHMARKS.md.
//
//	go run ./tools/bench -terraform .tools/bin/terraform,.tools/bin/terraform-1.16.4 -time-dir .tools/bin
//
// Each line that runs Terraform is measured on every CLI given, one after the other, against the
// floors measured on the same CLI: terraform_data (built into Terraform: Terraform's own cost per
// resource) and time_static of HashiCorp's time provider (a framework plugin whose resource does no
// I/O: the cost of any plugin).
//
// BENCH_N (default 1000) sets the resource count of lines 1-4 and 8, BENCH_MEMBERS (5000) the
// merchants of line 5, BENCH_QPS (20) the emulator limit of lines 3 and 8, BENCH_PIPELINES (4)
// line 8's concurrent applies, BENCH_LARGE (2000) line 9's statuses, BENCH_BENCHTIME (300x) line
// 6's -benchtime, BENCH_ROUNDS (3) the paired rounds of lines 1, 2 and 4, and BENCH_LINES (e.g.
// "2,8") runs only some lines, for quick looks or to measure them apart (7 runs lines 1 and 9,
// whose peak RSS it reports); a partial run prints its table but leaves
// BENCHMARKS.md alone. BENCH_PROVIDER_PKG builds the provider from another main package, such
// as a copy of main.go that writes profiles; BENCH_PROVIDER_BIN takes a provider built elsewhere
// (another commit, to compare designs); BENCH_SET_FLOOR=1 adds to line 5 terraform_data holding
// the ids as a set.
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
	terraform := flag.String("terraform", ".tools/bin/terraform", "Terraform CLIs to run the lines on, comma-separated")
	timeDir := flag.String("time-dir", ".tools/bin", "directory holding the pinned terraform-provider-time (the plugin floor)")
	out := flag.String("out", "BENCHMARKS.md", "report to write (a full run only)")
	keep := flag.Bool("keep", false, "keep the work directory (configs, logs, states)")
	flag.Parse()

	root, err := os.Getwd()
	if err != nil {
		return err
	}
	b := &bench{root: root, n: envInt("BENCH_N", 1000), members: envInt("BENCH_MEMBERS", 5000),
		qps: float64(envInt("BENCH_QPS", 20)), latency: 30 * time.Millisecond,
		benchtime: envString("BENCH_BENCHTIME", "300x"), rounds: envInt("BENCH_ROUNDS", 3),
		pipelines: envInt("BENCH_PIPELINES", 4), large: envInt("BENCH_LARGE", 2000)} // 10 000: Terraform alone takes over 17 min here
	lines := envString("BENCH_LINES", "")
	want := func(id string) bool {
		return lines == "" || strings.Contains(","+strings.ReplaceAll(lines, " ", "")+",", ","+id+",")
	}

	for _, p := range strings.Split(*terraform, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		v, err := engineVersion(abs)
		if err != nil {
			return err
		}
		b.engines = append(b.engines, engine{path: abs, version: v})
	}
	if len(b.engines) == 0 {
		return errors.New("no Terraform CLI given (-terraform)")
	}
	timeAbs, err := filepath.Abs(*timeDir)
	if err != nil {
		return err
	}
	b.timeBin = filepath.Join(timeAbs, timeProvider)
	if _, err := os.Stat(b.timeBin); err != nil {
		return fmt.Errorf("the time provider is missing (run `make bench`, which installs it): %w", err)
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
	if err := writeCLIConfig(cliConfig, binDir, timeAbs); err != nil {
		return err
	}
	step("starting the emulator")
	if b.emu, err = startEmulator(emuBin, filepath.Join(b.work, "emulator"), filepath.Join(b.work, "emulator.log")); err != nil {
		return err
	}
	defer b.emu.stop()

	// Every line that runs Terraform runs on each engine in turn, in a folder of its own (a
	// newer Terraform's state is not for an older one); lines 6 and E run no Terraform.
	perEngine := []struct {
		ids []string
		fn  func() error
	}{
		{[]string{"1", "7", "E"}, b.line1},
		{[]string{"2"}, b.line2},
		{[]string{"8"}, b.line8},
		{[]string{"9", "7"}, b.line9},
		{[]string{"3"}, b.line3},
		{[]string{"4"}, b.line4},
		{[]string{"5"}, b.line5},
		{[]string{"M"}, b.lineM},
		{[]string{"L"}, b.lineL},
	}
	once := []struct {
		ids []string
		fn  func() error
	}{
		{[]string{"6"}, b.line6},
		{[]string{"E"}, b.emulatorAlone},
	}
	var errs []error
	fail := func(err error) {
		if b.engine != "" {
			err = fmt.Errorf("Terraform %s: %w", b.engine, err)
		}
		errs = append(errs, err)
		fmt.Fprintln(os.Stderr, "bench:", err)
	}
	for _, e := range b.engines {
		b.engine, b.dir = e.version, filepath.Join(b.work, "terraform-"+e.version)
		b.tf = &tfRunner{terraform: e.path, cliConfig: cliConfig, providerBin: providerBin, env: b.emu.providerEnv()}
		// Line 1 applies the floors in each of its rounds; line 4 needs them applied.
		if !wantAny(want, []string{"1", "7", "E"}) && want("4") {
			if _, _, err := b.applyFloors(); err != nil {
				fail(err)
				continue
			}
		}
		for _, s := range perEngine {
			if wantAny(want, s.ids) {
				if err := s.fn(); err != nil {
					fail(err)
				}
			}
		}
	}
	b.engine, b.tf = "", nil
	for _, s := range once {
		if wantAny(want, s.ids) {
			if err := s.fn(); err != nil {
				fail(err)
			}
		}
	}

	before, err := readFigures(*out)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: no before → after column: %v\n", err)
	}
	table := b.table(before)
	fmt.Println()
	fmt.Print(table)
	fmt.Printf("\n%s", b.detailText())
	fmt.Printf("\nbench wall time: %s\n", dur(time.Since(started)))
	if lines == "" && len(errs) == 0 {
		if err := b.writeReport(*out, table, before); err != nil {
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
