package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// emulatorProc is cmd/wxpay-emulator running as its own process, as in `make demo`, so that its
// CPU time can be told apart from Terraform's and the provider's.
type emulatorProc struct {
	cmd   *exec.Cmd
	ready emulator.Ready
	hc    *http.Client
}

func startEmulator(bin, dir, logFile string) (*emulatorProc, error) {
	log, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-listen", "127.0.0.1:0", "-dir", dir)
	cmd.Stderr = log
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, out)
	}()
	e := &emulatorProc{cmd: cmd, hc: &http.Client{Timeout: time.Minute}}
	select {
	case line, ok := <-lines:
		if !ok {
			_ = cmd.Wait()
			return nil, fmt.Errorf("the emulator exited before it was ready; see %s", logFile)
		}
		if err := json.Unmarshal([]byte(line), &e.ready); err != nil {
			e.stop()
			return nil, fmt.Errorf("emulator ready line %q: %w", line, err)
		}
	case <-time.After(2 * time.Minute):
		e.stop()
		return nil, fmt.Errorf("the emulator did not start within 2 minutes; see %s", logFile)
	}
	return e, nil
}

func (e *emulatorProc) stop() {
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = e.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		<-done
	}
}

// providerEnv is what the provider block leaves unset: public-key mode, no certificate download.
func (e *emulatorProc) providerEnv() []string {
	r := e.ready
	return []string{
		"WECHATPAY_MCHID=" + r.MchID,
		"WECHATPAY_MERCHANT_SERIAL_NUMBER=" + r.MerchantSerialNumber,
		"WECHATPAY_PRIVATE_KEY_PATH=" + r.PrivateKeyPath,
		"WECHATPAY_PUBLIC_KEY_ID=" + r.WechatpayPublicKeyID,
		"WECHATPAY_PUBLIC_KEY_PATH=" + r.WechatpayPublicKeyPath,
		"WECHATPAY_ENDPOINT=" + r.Endpoint,
	}
}

// callerProvider is a provider block with the alias name of one of the emulator's callers (its
// name with "-" as "_"), signing as that caller; the rest comes from providerEnv.
func (e *emulatorProc) callerProvider(name string) string {
	for _, c := range e.ready.Callers {
		if c.Name == name {
			return fmt.Sprintf(`
provider "wechatpay" {
  alias                  = %q
  mchid                  = %q
  merchant_serial_number = %q
  private_key_path       = %q
}
`, strings.ReplaceAll(name, "-", "_"), c.MchID, c.MerchantSerialNumber, c.PrivateKeyPath)
		}
	}
	panic("the emulator has no caller " + name)
}

// control calls the loopback-only /_emulator/ API; out may be nil.
func (e *emulatorProc) control(method, route string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.ready.Endpoint+"/_emulator"+route, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("emulator %s %s: %d %s", method, route, resp.StatusCode, strings.TrimSpace(string(b)))
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// fresh resets the emulator (state, call log, faults, limits) and seeds it.
func (e *emulatorProc) fresh(seed emulator.Seed) error {
	if err := e.control(http.MethodPost, "/reset", nil, nil); err != nil {
		return err
	}
	return e.control(http.MethodPost, "/seed", seed, nil)
}

type callLog struct {
	Calls []emulator.Call `json:"calls"`
	Total int             `json:"total"`
}

func (e *emulatorProc) calls() (callLog, error) {
	var l callLog
	err := e.control(http.MethodGet, "/calls", nil, &l)
	return l, err
}

func (e *emulatorProc) clearCalls() error { return e.control(http.MethodDelete, "/calls", nil, nil) }

// cpu is the emulator's CPU time so far (user + system).
func (e *emulatorProc) cpu() time.Duration { return procCPU(e.cmd.Process.Pid) }

// count counts logged calls by method and path prefix, and how many of them were refused with
// the given code ("" = any non-2xx).
func (l callLog) count(method, pathPrefix string) (calls, refused int, refusedBy map[string]int) {
	refusedBy = map[string]int{}
	for _, c := range l.Calls {
		if (method != "" && c.Method != method) || !strings.HasPrefix(c.Path, pathPrefix) {
			continue
		}
		calls++
		if c.Status >= 300 || c.Status == 0 {
			refused++
			refusedBy[fmt.Sprintf("%d %s", c.Status, c.Code)]++
		}
	}
	return calls, refused, refusedBy
}

// span is the time from the first to the last logged call: the part of a run that talks to
// WeChat Pay. The emulator logs its business clock, which is real time unless advanced.
func (l callLog) span() time.Duration { return l.window("", "") }

// window is the time from the first to the last logged call of one kind, chosen as in count.
func (l callLog) window(method, pathPrefix string) time.Duration {
	var first, last time.Time
	for _, c := range l.Calls {
		if (method != "" && c.Method != method) || !strings.HasPrefix(c.Path, pathPrefix) {
			continue
		}
		if first.IsZero() {
			first = c.Time
		}
		last = c.Time
	}
	return last.Sub(first)
}

// buildBinaries builds the provider and the emulator into binDir. BENCH_PROVIDER_BIN, a provider
// built elsewhere (another commit, to compare designs), is copied there instead of a build.
func buildBinaries(root, binDir string) (provider, emu string, err error) {
	provider = filepath.Join(binDir, "terraform-provider-wechatpay")
	emu = filepath.Join(binDir, "wxpay-emulator")
	builds := []struct{ out, pkg string }{{provider, envString("BENCH_PROVIDER_PKG", ".")}, {emu, "./cmd/wxpay-emulator"}}
	if prebuilt := os.Getenv("BENCH_PROVIDER_BIN"); prebuilt != "" {
		if err := copyExecutable(prebuilt, provider); err != nil {
			return "", "", fmt.Errorf("BENCH_PROVIDER_BIN: %w", err)
		}
		builds = builds[1:]
	}
	for _, b := range builds {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return "", "", fmt.Errorf("go build %s: %w", b.pkg, err)
		}
	}
	return provider, emu, nil
}

func copyExecutable(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, data, 0o755)
}
