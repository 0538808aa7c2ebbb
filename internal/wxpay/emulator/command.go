package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Ready is the one JSON line cmd/wxpay-emulator prints on stdout once it is serving. The
// credentials at the top are the default caller's (a channel partner); Callers lists every
// caller with its own env file.
type Ready struct {
	Endpoint                  string            `json:"endpoint"`
	BackupEndpoint            string            `json:"backup_endpoint,omitempty"`
	MchID                     string            `json:"mchid"`
	MerchantSerialNumber      string            `json:"merchant_serial_number"`
	PrivateKeyPath            string            `json:"private_key_path"`
	WechatpayPublicKeyID      string            `json:"wechatpay_public_key_id"`
	WechatpayPublicKeyPath    string            `json:"wechatpay_public_key_path"`
	APIv3Key                  string            `json:"apiv3_key"`
	PlatformCertificatePath   string            `json:"platform_certificate_path"`
	PlatformCertificateSerial string            `json:"platform_certificate_serial"`
	EnvFile                   string            `json:"env_file"`
	CallersFile               string            `json:"callers_file"`
	Dir                       string            `json:"dir"`
	Callers                   []ReadyCaller     `json:"callers"`
	Dialects                  map[string]string `json:"dialects"`
}

// ReadyCaller is one caller's credentials; its env file exports them like env.sh does.
type ReadyCaller struct {
	Name                 string `json:"name"`
	Role                 string `json:"role"`
	MchID                string `json:"mchid"`
	MerchantSerialNumber string `json:"merchant_serial_number"`
	PrivateKeyPath       string `json:"private_key_path"`
	EnvFile              string `json:"env_file"`
}

// CallerCredentials is one caller's entry in DIR/callers.json, the shape of the `callers`
// variable of examples/demo: `export TF_VAR_callers=$(cat DIR/callers.json)`. It names the
// key file and never holds the key.
type CallerCredentials struct {
	MchID                string `json:"mchid"`
	MerchantSerialNumber string `json:"merchant_serial_number"`
	PrivateKeyPath       string `json:"private_key_path"`
}

// RunCommand is cmd/wxpay-emulator: it parses args, prints one Ready line on stdout, writes
// DIR/env.sh (the default caller), DIR/env-NAME.sh (every caller) and DIR/callers.json (every
// caller by name) and serves until ctx ends, then shuts down gracefully.
func RunCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.dir == "" {
		if f.dir, err = os.MkdirTemp("", "wxpay-emulator-"); err != nil {
			return err
		}
	}
	keys, err := LoadOrCreateKeys(f.dir, f.mchid)
	if err != nil {
		return err
	}
	files, err := keys.WriteFiles(f.dir)
	if err != nil {
		return err
	}
	seed, err := readSeed(f.seedFile)
	if err != nil {
		return err
	}
	// The seed file's dialects and the flags are the start-up dialects, which Reset keeps.
	dialects := overlay(seed.Dialects, f.dialects)
	seed.Dialects = nil
	srv := New(Options{Keys: keys, DefaultMode: f.mode, Dialects: dialects})
	defer srv.Close()
	if err := srv.Seed(seed); err != nil {
		return fmt.Errorf("seed %s: %w", f.seedFile, err)
	}

	listeners, err := listen(f.listen, f.backupListen)
	if err != nil {
		return err
	}
	ready := newReady(f.dir, keys, files, listeners)
	ready.Dialects = srv.ActiveDialects()
	if err := ready.writeFiles(); err != nil {
		closeAll(listeners)
		return err
	}
	return serve(ctx, srv, listeners, ready, stdout)
}

// commandFlags are RunCommand's arguments.
type commandFlags struct {
	listen, backupListen, dir, seedFile, mchid, mode string
	dialects                                         map[string]string
}

func parseFlags(args []string, stderr io.Writer) (commandFlags, error) {
	f := commandFlags{dialects: map[string]string{}}
	fs := flag.NewFlagSet("wxpay-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:0", "address to serve the emulator on")
	fs.StringVar(&f.backupListen, "backup-listen", "", "optional second address sharing the same state (the backup host, for failover tests)")
	fs.StringVar(&f.dir, "dir", "", "directory for keys and env.sh, created or reused (default: a new temporary directory)")
	fs.StringVar(&f.seedFile, "seed", "", "JSON seed file merged into the initial state")
	fs.StringVar(&f.mchid, "mchid", "1900000001", "merchant id of the default caller (a channel partner)")
	fs.StringVar(&f.mode, "default-mode", ModePublicKey, "key signing answers when Wechatpay-Serial names none: public_key or certificate")
	fs.Func("dialect", "name=value: how to behave where WeChat Pay's docs leave it open (repeatable; over the -seed file's); one of "+
		strings.Join(dialectNames(), ", "), func(v string) error {
		name, value, err := ParseDialect(v)
		if err == nil {
			f.dialects[name] = value
		}
		return err
	})
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if fs.NArg() > 0 {
		return f, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if f.mode != ModePublicKey && f.mode != ModeCertificate {
		return f, fmt.Errorf("-default-mode must be %s or %s", ModePublicKey, ModeCertificate)
	}
	return f, nil
}

// readSeed reads a -seed file strictly: an unknown field or dialect is an error, not ignored.
func readSeed(name string) (Seed, error) {
	var seed Seed
	if name == "" {
		return seed, nil
	}
	raw, err := os.ReadFile(name)
	if err != nil {
		return seed, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&seed); err != nil {
		return seed, fmt.Errorf("seed %s: %w", name, err)
	}
	if err := CheckDialects(seed.Dialects); err != nil {
		return seed, fmt.Errorf("seed %s: dialects: %w", name, err)
	}
	return seed, nil
}

// listen opens the main address and, when backup is set, the backup host's.
func listen(main, backup string) ([]net.Listener, error) {
	ln, err := net.Listen("tcp", main)
	if err != nil {
		return nil, err
	}
	listeners := []net.Listener{ln}
	if backup != "" {
		bl, err := net.Listen("tcp", backup)
		if err != nil {
			_ = ln.Close()
			return nil, err
		}
		listeners = append(listeners, bl)
	}
	return listeners, nil
}

func closeAll(listeners []net.Listener) {
	for _, l := range listeners {
		_ = l.Close()
	}
}

// newReady describes the emulator serving on listeners with keys and files in dir.
func newReady(dir string, keys *Keys, files Files, listeners []net.Listener) Ready {
	ready := Ready{
		Endpoint:                  "http://" + listeners[0].Addr().String(),
		MchID:                     keys.MchID,
		MerchantSerialNumber:      keys.MerchantSerial,
		PrivateKeyPath:            files.MerchantKey,
		WechatpayPublicKeyID:      keys.PublicKeyID,
		WechatpayPublicKeyPath:    files.PublicKey,
		APIv3Key:                  keys.APIv3Key,
		PlatformCertificatePath:   files.PlatformCert,
		PlatformCertificateSerial: keys.PlatformSerial,
		EnvFile:                   filepath.Join(dir, "env.sh"),
		CallersFile:               filepath.Join(dir, "callers.json"),
		Dir:                       dir,
	}
	if len(listeners) > 1 {
		ready.BackupEndpoint = "http://" + listeners[1].Addr().String()
	}
	for _, c := range keys.AllCallers() {
		ready.Callers = append(ready.Callers, ReadyCaller{Name: c.Name, Role: c.Role, MchID: c.MchID,
			MerchantSerialNumber: c.Serial, PrivateKeyPath: files.CallerKeys[c.Name],
			EnvFile: filepath.Join(dir, "env-"+c.Name+".sh")})
	}
	return ready
}

// writeFiles writes env.sh, every caller's env-NAME.sh and callers.json.
func (r Ready) writeFiles() error {
	callers := map[string]CallerCredentials{}
	for _, rc := range r.Callers {
		callers[rc.Name] = CallerCredentials{MchID: rc.MchID, MerchantSerialNumber: rc.MerchantSerialNumber, PrivateKeyPath: rc.PrivateKeyPath}
		if err := os.WriteFile(rc.EnvFile, []byte(envScript(r.as(rc))), 0o600); err != nil {
			return err
		}
	}
	if err := os.WriteFile(r.EnvFile, []byte(envScript(r)), 0o600); err != nil {
		return err
	}
	callersJSON, err := json.MarshalIndent(callers, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(r.CallersFile, append(callersJSON, '\n'), 0o600)
}

// serve serves srv on listeners, prints the Ready line once they accept, and shuts down when
// ctx ends or a listener fails.
func serve(ctx context.Context, srv *Server, listeners []net.Listener, ready Ready, stdout io.Writer) error {
	servers := make([]*http.Server, len(listeners))
	errc := make(chan error, len(listeners))
	for i, l := range listeners {
		servers[i] = &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
		go func(hs *http.Server, l net.Listener) { errc <- hs.Serve(l) }(servers[i], l)
	}
	line, err := json.Marshal(ready)
	if err == nil {
		_, err = fmt.Fprintf(stdout, "%s\n", line)
	}
	if err == nil {
		select {
		case <-ctx.Done():
		case err = <-errc:
		}
	}
	// Held "timeout" requests must be released first or Shutdown would wait for them.
	srv.Close()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, hs := range servers {
		_ = hs.Shutdown(shutdownCtx)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// as is r with c's credentials in place of the default caller's.
func (r Ready) as(c ReadyCaller) Ready {
	r.MchID, r.MerchantSerialNumber, r.PrivateKeyPath = c.MchID, c.MerchantSerialNumber, c.PrivateKeyPath
	return r
}

func envScript(r Ready) string {
	var b strings.Builder
	b.WriteString("# written by wxpay-emulator; source it to point the provider at the emulator as merchant " + r.MchID + "\n")
	vars := [][2]string{
		{"WECHATPAY_MCHID", r.MchID},
		{"WECHATPAY_MERCHANT_SERIAL_NUMBER", r.MerchantSerialNumber},
		{"WECHATPAY_PRIVATE_KEY_PATH", r.PrivateKeyPath},
		{"WECHATPAY_PUBLIC_KEY_ID", r.WechatpayPublicKeyID},
		{"WECHATPAY_PUBLIC_KEY_PATH", r.WechatpayPublicKeyPath},
		{"WECHATPAY_APIV3_KEY", r.APIv3Key},
		{"WECHATPAY_PLATFORM_CERTIFICATE_PATH", r.PlatformCertificatePath},
		{"WECHATPAY_ENDPOINT", r.Endpoint},
	}
	if r.BackupEndpoint != "" {
		vars = append(vars, [2]string{"WECHATPAY_BACKUP_ENDPOINT", r.BackupEndpoint})
	}
	for _, v := range vars {
		fmt.Fprintf(&b, "export %s=%s\n", v[0], shellQuote(v[1]))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
