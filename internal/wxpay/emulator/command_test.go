package emulator_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	seedFile := filepath.Join(t.TempDir(), "seed.json")
	seed := `{"sub_merchants":[{"sub_mchid":"1900000109","authorize_state":"AUTHORIZE_STATE_AUTHORIZED"}]}`
	if err := os.WriteFile(seedFile, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func(t *testing.T) (emulator.Ready, context.CancelFunc, chan error) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- emulator.RunCommand(ctx, []string{"-dir", dir, "-seed", seedFile, "-mchid", "1900000001",
				"-listen", "127.0.0.1:0", "-backup-listen", "127.0.0.1:0"}, pw, io.Discard)
			pw.Close()
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if err != nil {
			cancel()
			t.Fatalf("no ready line: %v (%v)", err, <-done)
		}
		var r emulator.Ready
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			cancel()
			t.Fatalf("ready line %q: %v", line, err)
		}
		return r, cancel, done
	}

	r, cancel, done := start(t)
	if r.MchID != "1900000001" || !strings.HasPrefix(r.Endpoint, "http://127.0.0.1:") || !strings.HasPrefix(r.BackupEndpoint, "http://127.0.0.1:") ||
		r.Endpoint == r.BackupEndpoint || !strings.HasPrefix(r.WechatpayPublicKeyID, "PUB_KEY_ID_") || len(r.APIv3Key) != 32 {
		t.Errorf("ready %+v", r)
	}
	env, err := os.ReadFile(filepath.Join(dir, "env.sh"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"export WECHATPAY_MCHID='1900000001'", "export WECHATPAY_ENDPOINT='" + r.Endpoint + "'",
		"export WECHATPAY_BACKUP_ENDPOINT='" + r.BackupEndpoint + "'", "export WECHATPAY_PRIVATE_KEY_PATH='" + r.PrivateKeyPath + "'",
		"WECHATPAY_MERCHANT_SERIAL_NUMBER='" + r.MerchantSerialNumber + "'", "WECHATPAY_PUBLIC_KEY_ID='", "WECHATPAY_PUBLIC_KEY_PATH='", "WECHATPAY_APIV3_KEY='"} {
		if !strings.Contains(string(env), want) {
			t.Errorf("env.sh lacks %q:\n%s", want, env)
		}
	}

	// Both listeners serve the same seeded state with the keys from the printed paths.
	key, err := utils.LoadPrivateKeyWithPath(r.PrivateKeyPath)
	if err != nil {
		t.Fatal(err)
	}
	k := &emulator.Keys{MchID: r.MchID, MerchantSerial: r.MerchantSerialNumber, MerchantKey: key}
	for _, endpoint := range []string{r.Endpoint, r.BackupEndpoint} {
		req := signedRequest(t, k, "GET", stateURI, "")
		req.RequestURI = ""
		u, _ := req.URL.Parse(endpoint + stateURI)
		req.URL, req.Host = u, u.Host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), emulator.AuthorizeStateAuthorized) {
			t.Errorf("%s: %d %s", endpoint, resp.StatusCode, b)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	// A second run in the same directory reuses the identity.
	r2, cancel2, done2 := start(t)
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	if r2.MerchantSerialNumber != r.MerchantSerialNumber || r2.WechatpayPublicKeyID != r.WechatpayPublicKeyID || r2.APIv3Key != r.APIv3Key {
		t.Error("the second run made new keys")
	}

	t.Run("bad flags", func(t *testing.T) {
		for _, args := range [][]string{{"-nope"}, {"-default-mode", "x", "-dir", dir}, {"-seed", filepath.Join(dir, "missing.json"), "-dir", dir}, {"-dir", dir, "extra"}} {
			if err := emulator.RunCommand(context.Background(), args, io.Discard, io.Discard); err == nil {
				t.Errorf("%v accepted", args)
			}
		}
	})
}

// -dialect flags and the seed file's dialects are the start-up dialects (a flag wins); every
// caller gets its key and env file, listed in the ready line.
func TestRunCommandCallersAndDialects(t *testing.T) {
	dir := t.TempDir()
	seedFile := filepath.Join(t.TempDir(), "seed.json")
	seed := `{"dialects":{"goldplan-repeat":"refused-already","time-format":"seconds"},
		"sub_merchants":[{"sub_mchid":"1900000109","owner":"service-provider"}]}`
	if err := os.WriteFile(seedFile, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- emulator.RunCommand(ctx, []string{"-dir", dir, "-seed", seedFile, "-dialect", "time-format=millis",
			"-dialect", "roles=any"}, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if err != nil {
		t.Fatalf("no ready line: %v (%v)", err, <-done)
	}
	var r emulator.Ready
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatal(err)
	}
	if r.Dialects[emulator.DialectTimeFormat] != "millis" || r.Dialects[emulator.DialectRoles] != "any" || r.Dialects[emulator.DialectGoldPlanRepeat] != "refused-already" {
		t.Errorf("ready dialects %v", r.Dialects)
	}
	if len(r.Callers) != 4 || r.Callers[0].Name != emulator.CallerChannelPartner || r.Callers[0].MchID != r.MchID || r.Callers[0].PrivateKeyPath != r.PrivateKeyPath {
		t.Fatalf("ready callers %+v", r.Callers)
	}
	var provider emulator.ReadyCaller
	for _, c := range r.Callers {
		env, err := os.ReadFile(c.EnvFile)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(c.EnvFile) != "env-"+c.Name+".sh" || !strings.Contains(string(env), "WECHATPAY_MCHID='"+c.MchID+"'") ||
			!strings.Contains(string(env), "WECHATPAY_PRIVATE_KEY_PATH='"+c.PrivateKeyPath+"'") ||
			!strings.Contains(string(env), "WECHATPAY_MERCHANT_SERIAL_NUMBER='"+c.MerchantSerialNumber+"'") ||
			!strings.Contains(string(env), "WECHATPAY_ENDPOINT='"+r.Endpoint+"'") {
			t.Errorf("%s:\n%s", c.EnvFile, env)
		}
		if c.Role == emulator.RoleServiceProvider {
			provider = c
		}
	}
	if env, _ := os.ReadFile(r.EnvFile); !strings.Contains(string(env), "WECHATPAY_MCHID='"+r.MchID+"'") {
		t.Errorf("env.sh is not the default caller's:\n%s", env)
	}

	// callers.json is the `callers` variable of examples/demo: every caller by name, with the
	// path of its key and never the key itself.
	if r.CallersFile != filepath.Join(dir, "callers.json") {
		t.Errorf("callers_file %q", r.CallersFile)
	}
	raw, err := os.ReadFile(r.CallersFile)
	if err != nil {
		t.Fatal(err)
	}
	var callers map[string]map[string]string
	if err := json.Unmarshal(raw, &callers); err != nil {
		t.Fatalf("callers.json is not a map of caller name to strings: %v\n%s", err, raw)
	}
	want := map[string]map[string]string{}
	for _, c := range r.Callers {
		want[c.Name] = map[string]string{"mchid": c.MchID, "merchant_serial_number": c.MerchantSerialNumber, "private_key_path": c.PrivateKeyPath}
		pem, err := os.ReadFile(c.PrivateKeyPath)
		if err != nil {
			t.Fatal(err)
		}
		if body := strings.Split(string(pem), "\n")[1]; strings.Contains(string(raw), body) {
			t.Errorf("callers.json holds %s's private key", c.Name)
		}
	}
	if !reflect.DeepEqual(callers, want) {
		t.Errorf("callers.json = %v, want %v", callers, want)
	}
	if strings.Contains(string(raw), "PRIVATE KEY") || strings.Contains(string(raw), r.APIv3Key) {
		t.Errorf("callers.json holds secrets:\n%s", raw)
	}

	// The service provider's key from its file signs its calls; the seed gave it testSub.
	key, err := utils.LoadPrivateKeyWithPath(provider.PrivateKeyPath)
	if err != nil {
		t.Fatal(err)
	}
	k := &emulator.Keys{MchID: provider.MchID, MerchantSerial: provider.MerchantSerialNumber, MerchantKey: key}
	send := func(body string) (int, string) {
		req := signedRequest(t, k, "POST", goldPlanURI, body)
		req.RequestURI = ""
		u, _ := req.URL.Parse(r.Endpoint + goldPlanURI)
		req.URL, req.Host = u, u.Host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := send(openGoldPlan); status != 200 {
		t.Errorf("OPEN as the service provider: %d %s", status, body)
	}
	if status, body := send(openGoldPlan); status != 400 || !strings.Contains(body, "已开通") {
		t.Errorf("OPEN again under refused-already: %d %s", status, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	for _, args := range [][]string{{"-dialect", "nope=1"}, {"-dialect", "roles=loose"}, {"-dialect", "roles"}} {
		var stderr strings.Builder
		err := emulator.RunCommand(context.Background(), append(args, "-dir", dir), io.Discard, &stderr)
		if err == nil || !strings.Contains(err.Error()+stderr.String(), "roles") {
			t.Errorf("%v: %v %s", args, err, stderr.String())
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte(`{"dialects":{"roles":"loose"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := emulator.RunCommand(context.Background(), []string{"-dir", dir, "-seed", bad}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "strict, any") {
		t.Errorf("bad seed dialect: %v", err)
	}
}
