package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one measured figure of one line on one engine, against its floor and goal.
type row struct {
	key        string // names the figure across runs, for the before → after column
	id, what   string
	floor      string // what the floor is, the same on every engine
	goal       string
	engine     string // Terraform version; "" for a line that runs no Terraform
	measured   string
	floorValue string  // the floor as measured or computed for this run; "" when there is none
	ratio      float64 // NaN where a ratio means nothing
	met        bool
}

func (b *bench) add(r row) {
	r.engine = b.engine
	b.rows = append(b.rows, r)
}

// detail is a paragraph under the table, filed under the engine it was measured on.
type detail struct{ engine, text string }

func (b *bench) detail(format string, args ...any) {
	b.details = append(b.details, detail{b.engine, fmt.Sprintf(format, args...)})
}

// detailText lists the paragraphs engine by engine, then those of the lines without Terraform.
func (b *bench) detailText() string {
	var sb strings.Builder
	groups := append(b.engineNames(), "")
	for _, e := range groups {
		var texts []string
		for _, d := range b.details {
			if d.engine == e {
				texts = append(texts, d.text)
			}
		}
		if len(texts) == 0 {
			continue
		}
		if e == "" {
			sb.WriteString("Without Terraform:\n\n")
		} else {
			fmt.Fprintf(&sb, "On Terraform %s:\n\n", e)
		}
		for _, t := range texts {
			sb.WriteString("- " + t + "\n")
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func (b *bench) engineNames() []string {
	var names []string
	for _, e := range b.engines {
		names = append(names, e.version)
	}
	return names
}

// cell renders one figure: measured / floor = ratio, then whether the goal is met.
func (r row) cell() string {
	s := r.measured
	if r.floorValue != "" {
		s += " / " + r.floorValue
	}
	if !math.IsNaN(r.ratio) {
		if r.floorValue != "" {
			s += " ="
		}
		s += fmt.Sprintf(" %.2f×", r.ratio)
	}
	if r.met {
		return s + " ✓"
	}
	return s + " ✗"
}

// table renders the figures as a Markdown table aligned for a terminal, one row per figure and
// one column per engine, so the same text is printed and written to BENCHMARKS.md.
func (b *bench) table(before *figures) string {
	engines := b.engineNames()
	var keys []string
	byKey := map[string][]row{}
	for _, r := range b.rows {
		if _, ok := byKey[r.key]; !ok {
			keys = append(keys, r.key)
		}
		byKey[r.key] = append(byKey[r.key], r)
	}

	var sb strings.Builder
	w := tabwriter.NewWriter(&sb, 0, 0, 1, ' ', tabwriter.Debug)
	head := "| #\t what\t floor\t goal"
	sep := "|---\t---\t---\t---"
	for _, e := range engines {
		head += "\t Terraform " + e
		sep += "\t---"
	}
	fmt.Fprintln(w, head+"\t before → after\t")
	fmt.Fprintln(w, sep+"\t---\t")
	for _, k := range keys {
		rows := byKey[k]
		first := rows[0]
		line := fmt.Sprintf("| %s\t %s\t %s\t %s", first.id, first.what, first.floor, first.goal)
		for i, e := range engines {
			c := "—"
			for _, r := range rows {
				switch {
				case r.engine == e:
					c = r.cell()
				case r.engine == "" && i == 0:
					c = r.cell() + " (no Terraform)"
				case r.engine == "":
					c = "same run"
				}
			}
			line += "\t " + c
		}
		fmt.Fprintf(w, "%s\t %s\t\n", line, before.compare(b, rows))
	}
	_ = w.Flush()
	// tabwriter's Debug mode separates cells with '|' but leaves the leading one doubled.
	return strings.ReplaceAll(sb.String(), "||", "|")
}

const (
	generatedBegin = "<!-- make bench: generated from here -->"
	generatedEnd   = "<!-- make bench: generated up to here -->"
	figuresPrefix  = "<!-- make bench figures: "
)

// figures is what a full run records in BENCHMARKS.md, for the next run's before → after column.
type figures struct {
	Date    string                       `json:"date"`
	N       int                          `json:"n"`
	Members int                          `json:"members"`
	QPS     float64                      `json:"qps"`
	Figures map[string]map[string]figure `json:"figures"` // key → engine ("-" for none) → figure
}

type figure struct {
	Measured string   `json:"measured"`
	Floor    string   `json:"floor,omitempty"`
	Ratio    *float64 `json:"ratio,omitempty"`
}

func engineKey(e string) string {
	if e == "" {
		return "-"
	}
	return e
}

func (b *bench) figures(date string) figures {
	f := figures{Date: date, N: b.n, Members: b.members, QPS: b.qps, Figures: map[string]map[string]figure{}}
	for _, r := range b.rows {
		if f.Figures[r.key] == nil {
			f.Figures[r.key] = map[string]figure{}
		}
		fig := figure{Measured: r.measured, Floor: r.floor}
		if !math.IsNaN(r.ratio) {
			ratio := math.Round(r.ratio*1000) / 1000
			fig.Ratio = &ratio
		}
		f.Figures[r.key][engineKey(r.engine)] = fig
	}
	return f
}

// readFigures reads the figures of the run recorded in BENCHMARKS.md, nil if it holds none.
func readFigures(path string) (*figures, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	_, rest, ok := strings.Cut(string(doc), figuresPrefix)
	if !ok {
		return nil, errors.New(path + " records no figures")
	}
	data, _, ok := strings.Cut(rest, " -->")
	if !ok {
		return nil, errors.New(path + ": unterminated figures comment")
	}
	var f figures
	if err := json.Unmarshal([]byte(data), &f); err != nil {
		return nil, fmt.Errorf("%s: figures: %w", path, err)
	}
	return &f, nil
}

// compare renders the before → after cell of one table row against the recorded run: the
// ratio where both runs measured it against the same floor, the measured figure otherwise.
func (f *figures) compare(b *bench, rows []row) string {
	if f == nil {
		return "—"
	}
	if f.N != b.n || f.Members != b.members || f.QPS != b.qps {
		return fmt.Sprintf("other sizes (N = %d before)", f.N)
	}
	var parts []string
	for _, r := range rows {
		prefix := ""
		if r.engine != "" && len(b.engines) > 1 {
			prefix = r.engine + ": "
		}
		old, ok := f.Figures[r.key][engineKey(r.engine)]
		switch {
		case !ok:
			parts = append(parts, prefix+"new")
		case old.Ratio != nil && !math.IsNaN(r.ratio) && old.Floor == r.floor:
			parts = append(parts, fmt.Sprintf("%s%.2f× → %.2f×", prefix, *old.Ratio, r.ratio))
		default:
			parts = append(parts, fmt.Sprintf("%s%s → %s", prefix, old.Measured, r.measured))
		}
	}
	return strings.Join(parts, "; ")
}

// writeReport replaces the generated part of BENCHMARKS.md and keeps everything written by
// hand around it (how to run, what is left).
func (b *bench) writeReport(path, table string, before *figures) error {
	date := time.Now().UTC().Format("2006-01-02 15:04 MST")
	var engines []string
	for _, e := range b.engines {
		engines = append(engines, firstLine(command(e.path, "version")))
	}
	var sb strings.Builder
	sb.WriteString(generatedBegin + "\n\n")
	fmt.Fprintf(&sb, "Last run: %s, `make bench` (N = %d, %d merchants, emulator limit %g req/s)", date, b.n, b.members, b.qps)
	if before != nil {
		fmt.Fprintf(&sb, "; before → after against the run of %s", before.Date)
	}
	sb.WriteString(".\n\n")
	fmt.Fprintf(&sb, "Machine: %d cores (nproc), %s; %s. Engines: %s. Plugin floor: %s.\n\n",
		runtime.NumCPU(), cpuModel(), goVersion(), strings.Join(engines, ", "), moduleVersion(b.timeBin))
	sb.WriteString("Each engine's cell is the figure measured on it / its floor there = the ratio, ✓ where the goal is met.\n\n")
	sb.WriteString(table)
	sb.WriteString("\n")
	sb.WriteString(b.detailText())
	data, err := json.Marshal(b.figures(date))
	if err != nil {
		return err
	}
	sb.WriteString(figuresPrefix + string(data) + " -->\n\n")
	sb.WriteString(generatedEnd + "\n")

	old, err := os.ReadFile(path)
	var doc string
	switch {
	case err == nil && strings.Contains(string(old), generatedBegin) && strings.Contains(string(old), generatedEnd):
		head, _, _ := strings.Cut(string(old), generatedBegin)
		_, rest, _ := strings.Cut(string(old), generatedEnd+"\n")
		doc = head + sb.String() + rest
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

// moduleVersion names the module a Go binary was built from, as path@version.
func moduleVersion(bin string) string {
	for _, line := range strings.Split(command("go", "version", "-m", bin), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "mod" {
			return f[1] + "@" + f[2]
		}
	}
	return "unknown"
}

func command(name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "unknown"
	}
	return string(out)
}

func firstLine(s string) string { l, _, _ := strings.Cut(strings.TrimSpace(s), "\n"); return l }
