package wxpay_test

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// These tests run the client against the in-process emulator, the same
// counterpart the provider's acceptance tests use, in all three
// verification modes.

const (
	authzSubMchid   = "1900000109"
	authzStatePath  = "/v3/apply4subject/applyment/merchants/" + authzSubMchid + "/state"
	authzCertsPath  = "/v3/certificates"
	authzMchID      = "1900000001"
	authzModePubKey = "public key"
	authzModeCert   = "certificate"
	authzModeBoth   = "migration"
)

var (
	authzKeysOnce sync.Once
	authzKeys     *emulator.Keys
	authzKeysErr  error
)

// authzEmulatorKeys generates the RSA keys once for the whole file.
func authzEmulatorKeys(t *testing.T) *emulator.Keys {
	authzKeysOnce.Do(func() { authzKeys, authzKeysErr = emulator.GenerateKeys(authzMchID) })
	if authzKeysErr != nil {
		t.Fatal(authzKeysErr)
	}
	return authzKeys
}

type authzEnv struct {
	emu    *emulator.Server
	url    string
	client *wxpay.Client
}

func newAuthzEnv(t *testing.T, mode, defaultMode string, mod func(*wxpay.Config)) *authzEnv {
	t.Helper()
	k := authzEmulatorKeys(t)
	emu := emulator.New(emulator.Options{Keys: k, DefaultMode: defaultMode})
	t.Cleanup(emu.Close)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	if err := emu.Seed(emulator.Seed{
		CallerRole:   "CHANNEL_PARTNER",
		SubMerchants: []emulator.SubMerchant{{SubMchid: authzSubMchid, AuthorizeState: string(wxpay.AuthorizeStateAuthorized)}},
	}); err != nil {
		t.Fatal(err)
	}
	cfg := wxpay.Config{
		MchID:                k.MchID,
		MerchantSerialNumber: k.MerchantSerial,
		PrivateKey:           k.MerchantKey,
		Endpoint:             srv.URL,
		RateLimit:            1000,
		RequestTimeout:       5 * time.Second,
		BackoffBase:          time.Millisecond,
		BackoffMax:           2 * time.Millisecond,
		UserAgentVersion:     "test",
	}
	if mode == authzModePubKey || mode == authzModeBoth {
		cfg.PublicKeyID, cfg.PublicKey = k.PublicKeyID, &k.PublicKeyModeKey.PublicKey
	}
	if mode == authzModeCert || mode == authzModeBoth {
		cfg.APIv3Key = k.APIv3Key
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := wxpay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &authzEnv{emu: emu, url: srv.URL, client: c}
}

func TestEmulatorAuthorizeStateInEveryMode(t *testing.T) {
	tests := []struct {
		mode, defaultMode string
		wantCertCalls     int
	}{
		{authzModePubKey, emulator.ModePublicKey, 0},
		{authzModeCert, emulator.ModePublicKey, 1}, // Wechatpay-Serial must steer the emulator to the certificate
		{authzModeCert, emulator.ModeCertificate, 1},
		{authzModeBoth, emulator.ModeCertificate, 0},
	}
	for _, tt := range tests {
		t.Run(tt.mode+"/default "+tt.defaultMode, func(t *testing.T) {
			e := newAuthzEnv(t, tt.mode, tt.defaultMode, nil)
			ctx := context.Background()
			got, err := e.client.GetAuthorizeState(ctx, authzSubMchid)
			if err != nil || got != wxpay.AuthorizeStateAuthorized {
				t.Fatalf("got %q, %v", got, err)
			}
			e.emu.SetAuthorizeState(authzSubMchid, string(wxpay.AuthorizeStateUnauthorized))
			got, err = e.client.GetAuthorizeState(ctx, authzSubMchid)
			if err != nil || got != wxpay.AuthorizeStateUnauthorized {
				t.Fatalf("after drift got %q, %v", got, err)
			}
			if n := e.emu.CountCalls("GET", authzCertsPath); n != tt.wantCertCalls {
				t.Errorf("%d certificate downloads, want %d", n, tt.wantCertCalls)
			}
			if n := e.emu.CountCalls("GET", authzStatePath); n != 2 {
				t.Errorf("%d state calls, want 2", n)
			}
		})
	}
}

func TestEmulatorBusinessErrors(t *testing.T) {
	e := newAuthzEnv(t, authzModePubKey, "", nil)
	e.emu.SetDialect(emulator.DialectRoles, "strict") // the role check this test is about
	e.emu.SetCallerRole("SERVICE_PROVIDER")
	_, err := e.client.GetAuthorizeState(context.Background(), authzSubMchid)
	if !wxpay.HasCode(err, "PARAM_ERROR") || !wxpay.MessageContains(err, "只能由从业机构或渠道商调用该接口") || wxpay.IsTransient(err) {
		t.Fatalf("err = %v", err)
	}
	if n := e.emu.CountCalls("GET", authzStatePath); n != 1 {
		t.Errorf("%d calls: a final error must not be retried", n)
	}
}

func TestEmulatorFaults(t *testing.T) {
	tests := []struct {
		name      string
		mode      string
		fault     emulator.Fault
		wantCalls int
		wantErr   func(error) bool
	}{
		{"500 once is retried", authzModePubKey, emulator.Fault{Kind: emulator.FaultStatus, Status: 500, Count: 1}, 2, nil},
		{"connection reset is retried", authzModePubKey, emulator.Fault{Kind: emulator.FaultReset, Count: 1}, 2, nil},
		{"pay-gift style in-progress is retried", authzModePubKey, emulator.Fault{Kind: emulator.FaultStatus, Status: 403, Code: "RULE_LIMIT", Message: "上一次修改还未完成", Count: 2}, 3, nil},
		{"tampered signature", authzModePubKey, emulator.Fault{Kind: emulator.FaultTamperSignature, Count: 1}, 1, authzIsVerification},
		{"stale timestamp", authzModeBoth, emulator.Fault{Kind: emulator.FaultStaleTimestamp, Count: 1}, 1, authzIsVerification},
		{"SIGNTEST probe", authzModeCert, emulator.Fault{Kind: emulator.FaultSignTest, Path: authzStatePath, Count: 1}, 1, authzIsVerification},
		{"garbled body is signed but not JSON", authzModePubKey, emulator.Fault{Kind: emulator.FaultGarbledBody, Count: 1}, 1, func(err error) bool {
			return err != nil && !authzIsVerification(err) && strings.Contains(err.Error(), "not the expected JSON")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newAuthzEnv(t, tt.mode, "", nil)
			e.emu.InjectFault(tt.fault)
			got, err := e.client.GetAuthorizeState(context.Background(), authzSubMchid)
			if tt.wantErr == nil {
				if err != nil || got != wxpay.AuthorizeStateAuthorized {
					t.Fatalf("got %q, %v", got, err)
				}
			} else if !tt.wantErr(err) {
				t.Fatalf("err = %v", err)
			}
			if n := e.emu.CountCalls("GET", authzStatePath); n != tt.wantCalls {
				t.Errorf("%d calls, want %d", n, tt.wantCalls)
			}
		})
	}
}

func authzIsVerification(err error) bool {
	var ve *wxpay.VerificationError
	return errors.As(err, &ve) && !wxpay.IsTransient(err)
}

func TestEmulatorUnknownSerialRefreshesCertificatesOnce(t *testing.T) {
	e := newAuthzEnv(t, authzModeCert, "", nil)
	ctx := context.Background()
	if _, err := e.client.GetAuthorizeState(ctx, authzSubMchid); err != nil {
		t.Fatal(err)
	}
	e.emu.InjectFault(emulator.Fault{Kind: emulator.FaultUnknownSerial, Path: authzStatePath, Count: 1})
	_, err := e.client.GetAuthorizeState(ctx, authzSubMchid)
	var ve *wxpay.VerificationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "unknown serial") {
		t.Fatalf("err = %v", err)
	}
	if n := e.emu.CountCalls("GET", authzCertsPath); n != 2 {
		t.Errorf("%d certificate downloads, want the first plus one refresh", n)
	}
}

func TestEmulatorFailoverToBackup(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + l.Addr().String()
	l.Close()
	e := newAuthzEnv(t, authzModeCert, "", func(c *wxpay.Config) {
		c.BackupEndpoint = c.Endpoint
		c.Endpoint = refused
	})
	got, err := e.client.GetAuthorizeState(context.Background(), authzSubMchid)
	if err != nil || got != wxpay.AuthorizeStateAuthorized {
		t.Fatalf("got %q, %v", got, err)
	}
	// The certificate download went to the backup too.
	if n := e.emu.CountCalls("GET", authzCertsPath); n != 1 {
		t.Errorf("%d certificate downloads on the backup, want 1", n)
	}
}
