package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the table: a measured figure against its floor and goal.
type row struct {
	id, what, measured, floor string
	ratio                     float64 // NaN where a ratio means nothing
	goal                      string
	met                       bool
}

func (b *bench) add(r row) { b.rows = append(b.rows, r) }

func (b *bench) detail(format string, args ...any) {
	b.details = append(b.details, fmt.Sprintf(format, args...))
}

// table renders the rows as a Markdown table aligned for a terminal, so the same text is
// printed and written to BENCHMARKS.md.
func (b *bench) table() string {
	var sb strings.Builder
	w := tabwriter.NewWriter(&sb, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(w, "| #\t what\t measured\t floor\t ratio\t goal\t met\t")
	fmt.Fprintln(w, "|---\t---\t---\t---\t---\t---\t---\t")
	for _, r := range b.rows {
		ratio := "—"
		if !math.IsNaN(r.ratio) {
			ratio = fmt.Sprintf("%.2f×", r.ratio)
		}
		met := "no"
		if r.met {
			met = "yes"
		}
		fmt.Fprintf(w, "| %s\t %s\t %s\t %s\t %s\t %s\t %s\t\n", r.id, r.what, r.measured, r.floor, ratio, r.goal, met)
	}
	_ = w.Flush()
	// tabwriter's Debug mode separates cells with '|' but leaves the leading one doubled.
	return strings.ReplaceAll(sb.String(), "||", "|")
}

const (
	generatedBegin = "<!-- make bench: generated from here -->"
	generatedEnd   = "<!-- make bench: generated up to here -->"
)

// writeReport replaces the generated part of BENCHMARKS.md and keeps everything written by
// hand around it (the analysis, before/after history).
func (b *bench) writeReport(path, table, terraform string) error {
	var sb strings.Builder
	sb.WriteString(generatedBegin + "\n\n")
	fmt.Fprintf(&sb, "Last run: %s, `make bench` (N = %d, %d merchants, emulator limit %g req/s).\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), b.n, b.members, b.qps)
	fmt.Fprintf(&sb, "Machine: %d cores (nproc), %s; %s; %s; null provider %s.\n\n",
		runtime.NumCPU(), cpuModel(), goVersion(), firstLine(command(terraform, "version")), nullVersion(b))
	sb.WriteString(table)
	sb.WriteString("\n")
	for _, d := range b.details {
		sb.WriteString("- " + d + "\n")
	}
	sb.WriteString("\n" + generatedEnd + "\n")

	old, err := os.ReadFile(path)
	var doc string
	switch {
	case err == nil && strings.Contains(string(old), generatedBegin) && strings.Contains(string(old), generatedEnd):
		before, _, _ := strings.Cut(string(old), generatedBegin)
		_, after, _ := strings.Cut(string(old), generatedEnd+"\n")
		doc = before + sb.String() + after
	case err == nil:
		doc = string(old) + "\n" + sb.String()
	default:
		doc = "# Benchmarks\n\n`make bench` writes the section below; the rest of this file is written by hand.\n\n" + sb.String()
	}
	return os.WriteFile(path, []byte(doc), 0o644)
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func goVersion() string {
	return strings.TrimPrefix(firstLine(command("go", "version")), "go version ")
}

func nullVersion(b *bench) string {
	for _, line := range strings.Split(command("go", "version", "-m", b.tf.nullBinary()), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "mod" {
			return f[1] + "@" + f[2]
		}
	}
	return "unknown"
}

func command(name string, args ...string) string {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		return "unknown"
	}
	return string(out)
}

func firstLine(s string) string { l, _, _ := strings.Cut(strings.TrimSpace(s), "\n"); return l }
