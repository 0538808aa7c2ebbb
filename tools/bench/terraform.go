package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// tfRunner runs the real Terraform CLI with a CLI configuration whose dev overrides point at the
// freshly built wechatpay provider and the pinned time provider, so no `terraform init` and no
// registry are involved, for both providers alike (terraform_data is built into Terraform).
type tfRunner struct {
	terraform   string
	cliConfig   string
	providerBin string // sampled for RSS and CPU while Terraform runs
	env         []string
}

// timeProvider is the plugin floor's binary, as `go install` names it.
const timeProvider = "terraform-provider-time"

func writeCLIConfig(path, providerDir, timeDir string) error {
	rc := fmt.Sprintf(`disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/wxpay-tf/wechatpay" = %q
    "registry.terraform.io/hashicorp/time"     = %q
  }
  direct {}
}
`, providerDir, timeDir)
	return os.WriteFile(path, []byte(rc), 0o644)
}

// engine is one Terraform CLI the lines run on.
type engine struct {
	path    string
	version string // as `terraform version -json` reports it, e.g. "1.5.7"
}

// engineVersion asks a Terraform CLI for its version.
func engineVersion(path string) (string, error) {
	cmd := exec.Command(path, "version", "-json")
	cmd.Env = append(os.Environ(), "CHECKPOINT_DISABLE=1")
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s version -json: %w", path, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil || v.Version == "" {
		return "", fmt.Errorf("%s version -json printed no terraform_version: %q", path, tail(string(out), 5))
	}
	return v.Version, nil
}

// tfRun is one Terraform command as measured.
type tfRun struct {
	wall        time.Duration
	providerRSS int64         // peak VmHWM of any provider process, bytes
	providerCPU time.Duration // CPU of the provider processes seen (last sample of each)
	totalCPU    time.Duration // Terraform's CPU with its reaped children, the providers
	log         string
}

// run runs `terraform args...` in dir and fails on a non-zero exit, pointing at its output.
func (t *tfRunner) run(dir, logName string, args ...string) (tfRun, error) {
	return t.runEnv(dir, logName, nil, args...)
}

// quietPlugin turns off the TRACE logs of terraform-plugin-go and the framework in a plugin that
// does not do so itself, as this provider does (main.go): they are formatted in the plugin and
// dropped by Terraform unless TF_LOG is set, and would double the time provider's cost (about
// 4.3 s of CPU instead of 9.7 s for 300 time_static on 2 cores). Not for this provider's runs: it
// reads any TF_LOG* variable as a request for its logs.
var quietPlugin = []string{"TF_LOG_SDK=off"}

// runEnv is run with extra environment variables.
func (t *tfRunner) runEnv(dir, logName string, extraEnv []string, args ...string) (tfRun, error) {
	logPath := filepath.Join(dir, logName)
	var out bytes.Buffer
	cmd := exec.Command(t.terraform, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), t.env...)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Env = append(cmd.Env, "TF_CLI_CONFIG_FILE="+t.cliConfig, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	cmd.Stdout, cmd.Stderr = &out, &out

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var samples sampler
	wg.Add(1)
	go func() { defer wg.Done(); samples.watch(t.providerBin, stop) }()

	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	close(stop)
	wg.Wait()
	_ = os.WriteFile(logPath, out.Bytes(), 0o644)
	r := tfRun{wall: wall, providerRSS: samples.peakRSS(), providerCPU: samples.cpu(), log: logPath}
	if ps := cmd.ProcessState; ps != nil {
		r.totalCPU = ps.UserTime() + ps.SystemTime()
	}
	if err != nil {
		return r, fmt.Errorf("terraform %s in %s: %v (output in %s):\n%s", strings.Join(args, " "), dir, err, logPath, tail(out.String(), 40))
	}
	return r, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// sampler polls /proc for processes running exe and keeps, per process, its last VmHWM (the
// kernel's own peak resident set, so a short spike between two samples is not missed) and
// its last CPU time.
type sampler struct {
	mu    sync.Mutex
	procs map[int]procSample
}

type procSample struct {
	hwm int64
	cpu time.Duration
}

func (s *sampler) watch(exe string, stop <-chan struct{}) {
	s.procs = map[int]procSample{}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		s.sample(exe)
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}

func (s *sampler) sample(exe string) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if target, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err != nil || target != exe {
			continue
		}
		hwm := procHWM(pid)
		cpu := procCPU(pid)
		if hwm == 0 {
			continue // exiting
		}
		s.mu.Lock()
		s.procs[pid] = procSample{hwm: hwm, cpu: cpu}
		s.mu.Unlock()
	}
}

func (s *sampler) peakRSS() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var m int64
	for _, p := range s.procs {
		m = max(m, p.hwm)
	}
	return m
}

func (s *sampler) cpu() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var sum time.Duration
	for _, p := range s.procs {
		sum += p.cpu
	}
	return sum
}

// procHWM reads VmHWM (peak resident set) from /proc/PID/status, in bytes.
func procHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// procCPU reads utime+stime from /proc/PID/stat (clock ticks of 1/100 s on Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name may hold spaces; the fields we want come after its closing paren.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// workspace makes a fresh directory holding main.tf.
func workspace(base, name, mainTF string) (string, error) {
	dir := filepath.Join(base, name)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "main.tf"), []byte(mainTF), 0o644)
}
