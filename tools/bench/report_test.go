package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A full run records its figures in BENCHMARKS.md; the next run reads them back and shows each
// figure before → after, per engine, as a ratio only where both runs used the same floor.
func TestFiguresRoundTripAndCompare(t *testing.T) {
	old := &bench{n: 1000, members: 5000, qps: 20, engines: []engine{{version: "1.5.7"}}}
	old.engine = "1.5.7"
	old.add(row{key: "1", id: "1", what: "apply", floor: "1000 null_resource apply", measured: "15.3s", floorValue: "11.8s", ratio: 1.30})
	old.add(row{key: "3", id: "3", what: "limit", floor: "1000 / 20", measured: "53.0s", floorValue: "50.0s", ratio: 1.06})
	old.add(row{key: "7", id: "7", what: "rss", floor: "—", measured: "30.0 MiB", ratio: math.NaN()})
	old.engine = ""
	old.add(row{key: "6", id: "6", what: "cpu", floor: "sdk", measured: "4.60 ms", floorValue: "3.87 ms", ratio: 1.03})

	path := filepath.Join(t.TempDir(), "BENCHMARKS.md")
	if err := os.WriteFile(path, []byte("# Benchmarks\n\nwritten by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old.timeBin = "/nonexistent"
	if err := old.writeReport(path, old.table(nil), nil); err != nil {
		t.Fatal(err)
	}
	before, err := readFigures(path)
	if err != nil {
		t.Fatal(err)
	}

	b := &bench{n: 1000, members: 5000, qps: 20, engines: []engine{{version: "1.5.7"}, {version: "1.16.4"}}}
	for _, e := range []string{"1.5.7", "1.16.4"} {
		b.engine = e
		b.add(row{key: "1", id: "1", what: "apply", floor: "1000 terraform_data apply", measured: "12.0s", floorValue: "10.0s", ratio: 1.20, met: true})
		b.add(row{key: "3", id: "3", what: "limit", floor: "1000 / 20", measured: "52.0s", floorValue: "50.0s", ratio: 1.04, met: true})
	}
	b.engine = ""
	b.add(row{key: "6", id: "6", what: "cpu", floor: "sdk", measured: "4.50 ms", floorValue: "3.90 ms", ratio: 1.15})
	table := b.table(before)
	for _, want := range []string{
		"| Terraform 1.5.7 ", "| Terraform 1.16.4 ", "| before → after",
		"12.0s / 10.0s = 1.20× ✓",                    // a cell: measured / floor = ratio, met
		"1.5.7: 15.3s → 12.0s; 1.16.4: new",          // floor changed: the figures, not the ratios
		"1.5.7: 1.06× → 1.04×; 1.16.4: new",          // same floor: the ratios
		"4.50 ms / 3.90 ms = 1.15× ✗ (no Terraform)", // goal missed, no engine
		"| same run ", // the second engine's column of a line without Terraform
		"1.03× → 1.15×",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}

	b.n = 100
	if got := before.compare(b, b.rows[:1]); got != "other sizes (N = 1000 before)" {
		t.Errorf("compare at other sizes = %q", got)
	}
	doc, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(doc), "# Benchmarks\n\nwritten by hand\n") {
		t.Errorf("the hand-written part was not kept:\n%s", doc)
	}
}
