package wxpay_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
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

// emulatorClient starts an emulator for the test, holding seed, and a client of it signing as
// caller (a name of Keys.AllCallers; "" is the default caller) in public-key mode, with retries
// quick enough for tests. mod changes the client's configuration before it is made.
func emulatorClient(t testing.TB, seed emulator.Seed, caller string, mod func(*wxpay.Config), opts ...emulatortest.Option) (*emulatortest.Emulator, *wxpay.Client) {
	t.Helper()
	emu := emulatortest.New(t, append([]emulatortest.Option{emulatortest.WithSeed(seed)}, opts...)...)
	cfg := clientConfig(t, emu.Keys(), caller, emu.URL)
	if mod != nil {
		mod(&cfg)
	}
	c, err := wxpay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return emu, c
}

// clientConfig is the configuration of a client of the emulator at url signing as caller, in
// public-key mode.
func clientConfig(t testing.TB, k *emulator.Keys, caller, url string) wxpay.Config {
	t.Helper()
	mchid, serial, key := k.MchID, k.MerchantSerial, k.MerchantKey
	if caller != "" {
		c, ok := k.Caller(caller)
		if !ok {
			t.Fatalf("the emulator has no caller %q", caller)
		}
		mchid, serial, key = c.MchID, c.Serial, c.Key
	}
	return wxpay.Config{
		MchID: mchid, MerchantSerialNumber: serial, PrivateKey: key,
		PublicKeyID: k.PublicKeyID, PublicKey: &k.PublicKeyModeKey.PublicKey,
		Endpoint: url, RateLimit: 1000, RequestTimeout: 5 * time.Second,
		BackoffBase: time.Millisecond, BackoffMax: 5 * time.Millisecond, UserAgentVersion: "test",
	}
}

// withMode is a mod that verifies answers in one of the three modes.
func withMode(mode string, k *emulator.Keys) func(*wxpay.Config) {
	return func(c *wxpay.Config) {
		c.PublicKeyID, c.PublicKey, c.APIv3Key = "", nil, ""
		if mode == authzModePubKey || mode == authzModeBoth {
			c.PublicKeyID, c.PublicKey = k.PublicKeyID, &k.PublicKeyModeKey.PublicKey
		}
		if mode == authzModeCert || mode == authzModeBoth {
			c.APIv3Key = k.APIv3Key
		}
	}
}

type authzEnv struct {
	emu    *emulatortest.Emulator
	client *wxpay.Client
}

// newAuthzEnv is a channel partner's client, verifying in mode, of an emulator holding one
// authorized sub-merchant whose answers name no key default to defaultMode.
func newAuthzEnv(t *testing.T, mode, defaultMode string, mod func(*wxpay.Config)) *authzEnv {
	t.Helper()
	k := emulatortest.Keys(t)
	emu, c := emulatorClient(t, emulator.Seed{
		CallerRole:   "CHANNEL_PARTNER",
		SubMerchants: []emulator.SubMerchant{{SubMchid: authzSubMchid, AuthorizeState: string(wxpay.AuthorizeStateAuthorized)}},
	}, "", func(c *wxpay.Config) {
		withMode(mode, k)(c)
		c.BackoffMax = 2 * time.Millisecond
		if mod != nil {
			mod(c)
		}
	}, emulatortest.WithOptions(func(o *emulator.Options) { o.DefaultMode = defaultMode }))
	return &authzEnv{emu: emu, client: c}
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
