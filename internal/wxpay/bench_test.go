package wxpay_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"syscall"
	"testing"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

// Line 6 of `make bench`: one signed call with a verified answer through this client, against
// the same call through the official SDK's core.Client, both talking to the in-process emulator
// in public-key mode. The emulator's own work (verifying the request, signing the answer) is
// the same in both, so any difference is the client's.

func benchEmulator(b *testing.B) (*emulator.Keys, string) {
	b.Helper()
	emu := emulatortest.New(b, emulatortest.WithSeed(emulator.Seed{
		CallerRole:   "CHANNEL_PARTNER",
		SubMerchants: []emulator.SubMerchant{{SubMchid: authzSubMchid, AuthorizeState: string(wxpay.AuthorizeStateAuthorized)}},
	}))
	return emu.Keys(), emu.URL
}

// reportCPU adds cpu-ns/op: user+system CPU of the whole process (client and emulator) per call.
func reportCPU(b *testing.B, run func()) {
	var before, after syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.ResetTimer()
	run()
	b.StopTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(syscall.TimevalToNsec(after.Utime) - syscall.TimevalToNsec(before.Utime) +
		syscall.TimevalToNsec(after.Stime) - syscall.TimevalToNsec(before.Stime))
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func BenchmarkSignedCall(b *testing.B) {
	k, url := benchEmulator(b)
	c, err := wxpay.New(wxpay.Config{
		MchID: k.MchID, MerchantSerialNumber: k.MerchantSerial, PrivateKey: k.MerchantKey,
		PublicKeyID: k.PublicKeyID, PublicKey: &k.PublicKeyModeKey.PublicKey,
		Endpoint: url, RateLimit: 1e9,
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	reportCPU(b, func() {
		for i := 0; i < b.N; i++ {
			state, err := c.GetAuthorizeState(ctx, authzSubMchid)
			if err != nil || state != wxpay.AuthorizeStateAuthorized {
				b.Fatalf("got %q, %v", state, err)
			}
		}
	})
}

func BenchmarkSDKCoreClient(b *testing.B) {
	k, url := benchEmulator(b)
	ctx := context.Background()
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		b.Fatalf("http.DefaultTransport is %T", http.DefaultTransport)
	}
	c, err := core.NewClient(ctx,
		option.WithWechatPayPublicKeyAuthCipher(k.MchID, k.MerchantSerial, k.MerchantKey, k.PublicKeyID, &k.PublicKeyModeKey.PublicKey),
		option.WithHTTPClient(&http.Client{Transport: base.Clone()}))
	if err != nil {
		b.Fatal(err)
	}
	target := url + authzStatePath
	b.ReportAllocs()
	reportCPU(b, func() {
		for i := 0; i < b.N; i++ {
			res, err := c.Get(ctx, target)
			if err != nil {
				b.Fatal(err)
			}
			// The same work as the client: read the whole answer and decode it.
			body, err := io.ReadAll(res.Response.Body)
			res.Response.Body.Close()
			var out struct {
				AuthorizeState string `json:"authorize_state"`
			}
			if err != nil || json.Unmarshal(body, &out) != nil || out.AuthorizeState != string(wxpay.AuthorizeStateAuthorized) {
				b.Fatalf("answer %q, %v", body, err)
			}
		}
	})
}
