package wxpay_test

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// Security policies of the client, each as a test that fails when the policy is broken:
// signed requests never travel in clear text to a remote host, answer verification has no off
// switch and covers every call, and WeChat Pay's SIGNTEST probes are refused.

func TestPolicyPlainHTTPOnlyToLoopback(t *testing.T) {
	keys := emulatortest.Keys(t)
	cases := []struct {
		endpoint, backup string
		allowed          bool
	}{
		{"http://127.0.0.1:8080", "", true},
		{"http://127.9.9.9", "", true},
		{"http://localhost:1", "", true},
		{"http://[::1]:8080", "", true},
		{"https://api.mch.weixin.qq.com", "", true},
		{"https://10.0.0.1:8443", "", true},
		{"http://api.mch.weixin.qq.com", "", false},
		{"HTTP://api.mch.weixin.qq.com", "", false},
		{"http://10.0.0.1", "", false},
		{"http://0.0.0.0:8080", "", false},
		{"http://localhost.example.com", "", false},
		{"http://127.0.0.1.nip.io", "", false},
		{"http://2130706433", "", false}, // 127.0.0.1 as a decimal number: a resolver's business, not loopback
		{"ws://127.0.0.1", "", false},
		{"http://127.0.0.1:8080", "http://api2.mch.weixin.qq.com", false},
		{"https://api.mch.weixin.qq.com", "http://10.0.0.2", false},
	}
	for _, tc := range cases {
		t.Run(tc.endpoint+" "+tc.backup, func(t *testing.T) {
			_, err := wxpay.New(wxpay.Config{
				MchID: keys.MchID, MerchantSerialNumber: keys.MerchantSerial, PrivateKey: keys.MerchantKey,
				PublicKeyID: keys.PublicKeyID, PublicKey: &keys.PublicKeyModeKey.PublicKey,
				Endpoint: tc.endpoint, BackupEndpoint: tc.backup,
			})
			if tc.allowed && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.allowed && (err == nil || !strings.Contains(err.Error(), "https")) {
				t.Fatalf("got %v, want a refusal that says to use https", err)
			}
		})
	}
}

// Config's fields are listed here on purpose: a new field is a new way to weaken the client,
// and whoever adds one has to come here and say it does not turn verification off.
var reviewedConfigFields = []string{
	"APIv3Key", "BackoffBase", "BackoffMax", "BackupEndpoint", "CertRefreshInterval", "Endpoint",
	"FailbackAfter", "HTTPClient", "Logger", "MaxRetries", "MchID", "MerchantSerialNumber", "Now", "PrivateKey",
	"PublicKey", "PublicKeyID", "RateLimit", "RequestTimeout", "UserAgentVersion",
}

var switchOffWords = regexp.MustCompile(`(?i)skip|insecure|noverif|unverif|disable|unsafe|trust|validat|verif`)

func TestPolicyVerificationHasNoOffSwitch(t *testing.T) {
	var got []string
	typ := reflect.TypeOf(wxpay.Config{})
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		got = append(got, name)
		if switchOffWords.MatchString(name) {
			t.Errorf("Config.%s looks like a way to weaken answer verification", name)
		}
	}
	sort.Strings(got)
	if !reflect.DeepEqual(got, reviewedConfigFields) {
		t.Errorf("Config fields changed:\n got  %v\n want %v\nreview the new ones for ways to skip verification, then update the list",
			got, reviewedConfigFields)
	}
	// Without any key to verify with, there is no client at all.
	keys := emulatortest.Keys(t)
	_, err := wxpay.New(wxpay.Config{MchID: keys.MchID, MerchantSerialNumber: keys.MerchantSerial,
		PrivateKey: keys.MerchantKey, Endpoint: "http://127.0.0.1:1"})
	if err == nil {
		t.Fatal("a client without a public key or APIv3 key was built: its answers could not be verified")
	}
}

// clientCalls is every exported method of *Client that talks to WeChat Pay, each called with
// arguments the emulator accepts; TestPolicyEveryAnswerIsVerified checks the list is complete.
var clientCalls = map[string]func(ctx context.Context, c *wxpay.Client) (any, error){
	"Do": func(ctx context.Context, c *wxpay.Client) (any, error) {
		var out map[string]any
		err := c.Do(ctx, wxpay.Request{Method: "GET", Path: "/v3/apply4subject/applyment/merchants/" + policySub + "/state"}, &out)
		return out, err
	},
	"GetAuthorizeState": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.GetAuthorizeState(ctx, policySub)
	},
	"ChangeGoldPlanStatus": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return nil, c.ChangeGoldPlanStatus(ctx, policySub, wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI)
	},
	"ChangeCustomPageStatus": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return nil, c.ChangeCustomPageStatus(ctx, policySub, wxpay.GoldPlanOpen)
	},
	"SetAdvertisingIndustryFilter": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return nil, c.SetAdvertisingIndustryFilter(ctx, policySub, []string{"E_COMMERCE"})
	},
	"OpenAdvertisingShow": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return nil, c.OpenAdvertisingShow(ctx, policySub, nil)
	},
	"CloseAdvertisingShow": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return nil, c.CloseAdvertisingShow(ctx, policySub)
	},
	"BuildPartnership": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.BuildPartnership(ctx, "policy-build-"+policyNonce(), policyPartner, policyNewData)
	},
	"TerminatePartnership": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.TerminatePartnership(ctx, "policy-terminate-"+policyNonce(), policyPartner, policyData)
	},
	"ListPartnerships": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.ListPartnerships(ctx, wxpay.PartnershipFilter{AuthorizedData: &policyData, Limit: 10})
	},
	"FindPartnership": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.FindPartnership(ctx, policyPartner, policyData)
	},
	"LookupPartnership": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.LookupPartnership(ctx, policyPartner, policyData)
	},
	"AddActivityMerchants": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.AddActivityMerchants(ctx, policyActivity, []string{policySub}, "policyadd"+policyNonce())
	},
	"DeleteActivityMerchants": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.DeleteActivityMerchants(ctx, policyActivity, []string{policyMember}, "policydel"+policyNonce())
	},
	"NewActivityMerchantsChange": func(ctx context.Context, c *wxpay.Client) (any, error) {
		// Both calls of a change: a removal, then an addition once the removal was refused.
		change := c.NewActivityMerchantsChange(policyActivity)
		removed, err := change.Remove(ctx, []string{policyMember})
		var ve *wxpay.VerificationError
		if !errors.As(err, &ve) || len(removed) > 0 {
			return removed, err
		}
		added, refused, err := change.Add(ctx, []string{policySub})
		return struct {
			added   []string
			refused []wxpay.InvalidMerchant
		}{added, refused}, err
	},
	"ListActivityMerchants": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.ListActivityMerchants(ctx, policyActivity, 0, 10)
	},
	"ListAllActivityMerchants": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.ListAllActivityMerchants(ctx, policyActivity)
	},
	"EachActivityMerchant": func(ctx context.Context, c *wxpay.Client) (any, error) {
		var got []wxpay.ActivityMerchant
		err := c.EachActivityMerchant(ctx, policyActivity, func(m wxpay.ActivityMerchant) bool { got = append(got, m); return true })
		return got, err
	},
	"EachPartnership": func(ctx context.Context, c *wxpay.Client) (any, error) {
		var got []wxpay.Partnership
		err := c.EachPartnership(ctx, wxpay.PartnershipFilter{AuthorizedData: &policyData}, func(p wxpay.Partnership) bool { got = append(got, p); return true })
		return got, err
	},
	"ListAllPartnerships": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.ListAllPartnerships(ctx, wxpay.PartnershipFilter{AuthorizedData: &policyData})
	},
	"FindActivityMember": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.FindActivityMember(ctx, policyActivity, policySub)
	},
	"GetActivity": func(ctx context.Context, c *wxpay.Client) (any, error) {
		return c.GetActivity(ctx, policyActivity)
	},
}

const (
	policySub      = "1900000109"
	policyMember   = "1900000110"
	policyActivity = "10028001"
)

var (
	policyPartner = wxpay.Partner{Type: wxpay.PartnerTypeAppID, AppID: "wx4e1916a585d1f4e9"}
	policyData    = wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock, StockID: "98065001"}
	policyNewData = wxpay.AuthorizedData{BusinessType: wxpay.BusinessTypeBusifavorStock, StockID: "98065002"}
	policySeq     int
)

func policyNonce() string {
	policySeq++
	return time.Now().Format("150405") + string(rune('a'+policySeq%26)) + strings.Repeat("x", policySeq%5)
}

// TestPolicyEveryAnswerIsVerified runs every client call against answers that must not be
// trusted, in every verification mode, and checks that each call fails with a
// VerificationError and hands back nothing from the answer. It also checks that the table
// covers every exported call of the client, so that a new call cannot skip it.
func TestPolicyEveryAnswerIsVerified(t *testing.T) {
	typ := reflect.TypeOf(&wxpay.Client{})
	for i := range typ.NumMethod() {
		if _, ok := clientCalls[typ.Method(i).Name]; !ok {
			t.Errorf("(*Client).%s is not in clientCalls: add it so its answers are checked here", typ.Method(i).Name)
		}
	}
	faults := []string{emulator.FaultTamperSignature, emulator.FaultStaleTimestamp, emulator.FaultUnknownSerial, emulator.FaultSignTest}
	modes := []string{"public_key", "certificate", "both"}
	names := make([]string, 0, len(clientCalls))
	for n := range clientCalls {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, mode := range modes {
		for _, fault := range faults {
			t.Run(mode+"/"+fault, func(t *testing.T) {
				srv, c := newPolicyEnv(t, mode)
				// Certificates are downloaded first, untouched, so that the fault hits the call itself.
				if mode != "public_key" {
					if _, err := c.GetAuthorizeState(context.Background(), policySub); err != nil {
						t.Fatalf("warm-up: %v", err)
					}
				}
				srv.InjectFault(emulator.Fault{Kind: fault, Path: "/v3/", Method: ""})
				for _, name := range names {
					got, err := clientCalls[name](context.Background(), c)
					var ve *wxpay.VerificationError
					if !errors.As(err, &ve) {
						t.Errorf("%s: got %v, want a VerificationError", name, err)
						continue
					}
					if v := reflect.ValueOf(got); got != nil && !v.IsZero() {
						t.Errorf("%s: returned %+v from an untrusted answer", name, got)
					}
				}
			})
		}
	}
}

func TestPolicySignTestProbeIsRefused(t *testing.T) {
	for _, mode := range []string{"public_key", "certificate", "both"} {
		t.Run(mode, func(t *testing.T) {
			srv, c := newPolicyEnv(t, mode)
			srv.InjectFault(emulator.Fault{Kind: emulator.FaultSignTest, Path: "/v3/apply4subject/"})
			_, err := c.GetAuthorizeState(context.Background(), policySub)
			var ve *wxpay.VerificationError
			if !errors.As(err, &ve) || !strings.Contains(ve.Reason, "WECHATPAY/SIGNTEST/") {
				t.Fatalf("got %v, want a VerificationError naming the SIGNTEST probe", err)
			}
			// The same call without the probe goes through: the refusal was for the probe alone.
			srv.ClearFaults()
			if _, err := c.GetAuthorizeState(context.Background(), policySub); err != nil {
				t.Fatalf("after the probe: %v", err)
			}
		})
	}
}

func newPolicyEnv(t *testing.T, mode string) (*emulator.Server, *wxpay.Client) {
	t.Helper()
	emu, c := emulatorClient(t, emulator.Seed{
		CallerRole: emulator.RoleChannelPartner,
		SubMerchants: []emulator.SubMerchant{
			{SubMchid: policySub, AuthorizeState: "AUTHORIZE_STATE_AUTHORIZED"},
			{SubMchid: policyMember},
		},
		Activities:   []emulator.Activity{{ActivityID: policyActivity, Merchants: []string{policyMember}}},
		Partnerships: []emulator.Partnership{{Partner: emulator.Partner{Type: string(policyPartner.Type), AppID: policyPartner.AppID}, AuthorizedData: emulator.AuthorizedData{BusinessType: string(policyData.BusinessType), StockID: policyData.StockID}}},
		GoldPlans:    []emulator.GoldPlanState{{SubMchid: policySub, OpenScenes: []string{"JSAPI"}}},
	}, "", func(c *wxpay.Config) {
		c.BackoffMax = time.Millisecond
		mode := map[string]string{"public_key": authzModePubKey, "certificate": authzModeCert}[mode]
		if mode == "" {
			mode = authzModeBoth
		}
		withMode(mode, emulatortest.Keys(t))(c)
	}, emulatortest.WithOptions(func(o *emulator.Options) {
		// One client makes every call of the client here, whatever family: these tests are about
		// verifying answers, and roles=strict would answer some calls with a refusal instead.
		o.Dialects = map[string]string{emulator.DialectRoles: "any"}
	}))
	return emu.Server, c
}

// TestPolicyLostAnswerIsRetriedWithAFreshNonce: when a connection that was reused from the pool
// dies after the server applied a change, net/http would itself resend "replayable" requests
// (GETs, and anything with an Idempotency-Key) with the very same signed nonce, which WeChat Pay
// refuses as a replay. Every retry must instead be a fresh signature from the client's own loop.
func TestPolicyLostAnswerIsRetriedWithAFreshNonce(t *testing.T) {
	for _, name := range []string{"BuildPartnership", "GetAuthorizeState", "AddActivityMerchants", "ChangeGoldPlanStatus"} {
		t.Run(name, func(t *testing.T) {
			srv, c := newPolicyEnv(t, "public_key")
			ctx := context.Background()
			// A first call leaves a kept-alive connection for the next one to reuse.
			if _, err := c.GetAuthorizeState(ctx, policySub); err != nil {
				t.Fatal(err)
			}
			srv.InjectFault(emulator.Fault{Kind: emulator.FaultDropAfterApply, Path: "/v3/", Count: 1})
			if _, err := clientCalls[name](ctx, c); err != nil {
				t.Fatalf("lost answer not recovered: %v", err)
			}
			seen := map[string]bool{}
			for _, call := range srv.Calls() {
				if seen[call.Nonce] {
					t.Fatalf("nonce %q sent twice (%s %s answered %d %s)", call.Nonce, call.Method, call.Path, call.Status, call.Code)
				}
				seen[call.Nonce] = true
			}
		})
	}
}
