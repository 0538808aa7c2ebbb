package emulator

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

func TestRunCommand(t *testing.T) {
	dir := t.TempDir()
	seedFile := filepath.Join(t.TempDir(), "seed.json")
	seed := `{"sub_merchants":[{"sub_mchid":"1900000109","authorize_state":"AUTHORIZE_STATE_AUTHORIZED"}]}`
	if err := os.WriteFile(seedFile, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func(t *testing.T) (Ready, context.CancelFunc, chan error) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan error, 1)
		go func() {
			done <- RunCommand(ctx, []string{"-dir", dir, "-seed", seedFile, "-mchid", "1900000001",
				"-listen", "127.0.0.1:0", "-backup-listen", "127.0.0.1:0"}, pw, io.Discard)
			pw.Close()
		}()
		line, err := bufio.NewReader(pr).ReadString('\n')
		go func() { _, _ = io.Copy(io.Discard, pr) }()
		if err != nil {
			cancel()
			t.Fatalf("no ready line: %v (%v)", err, <-done)
		}
		var r Ready
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
	k := &Keys{MchID: r.MchID, MerchantSerial: r.MerchantSerialNumber, MerchantKey: key}
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
		if resp.StatusCode != 200 || !strings.Contains(string(b), AuthorizeStateAuthorized) {
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
			if err := RunCommand(context.Background(), args, io.Discard, io.Discard); err == nil {
				t.Errorf("%v accepted", args)
			}
		}
	})
}
