package emulatortest_test

import (
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

func TestKeysAreOneIdentityPerBinary(t *testing.T) {
	k := emulatortest.Keys(t)
	if k != emulatortest.Keys(t) || k.MchID != emulatortest.MchID {
		t.Fatalf("keys %p for %s, then %p", k, k.MchID, emulatortest.Keys(t))
	}
	files := emulatortest.KeyFiles(t)
	for _, name := range []string{files.MerchantKey, files.PublicKey, files.PlatformCert} {
		if _, err := os.Stat(name); err != nil {
			t.Error(err)
		}
	}
}

// An emulator is seeded, serves its own requests through the handler in front of it, and is
// gone once the test that started it ends.
func TestNewServesOneTest(t *testing.T) {
	var url string
	t.Run("test", func(t *testing.T) {
		var seen int
		emu := emulatortest.New(t,
			emulatortest.WithSeed(emulator.Seed{Activities: []emulator.Activity{{ActivityID: "10028001"}}}),
			emulatortest.WithOptions(func(o *emulator.Options) { o.DefaultMode = emulator.ModeCertificate }),
			emulatortest.WithHandler(func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen++; next.ServeHTTP(w, r) })
			}))
		url = emu.URL
		if emu.Keys() != emulatortest.Keys(t) || emu.HTTP.URL != emu.URL {
			t.Error("the emulator does not use the test identity and its own server")
		}
		if emu.Snapshot().Activities == nil {
			t.Error("the seed was not applied")
		}
		resp, err := emu.HTTP.Client().Get(emu.URL + "/v3/certificates") // unsigned: refused
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 4 || resp.Header.Get("Request-ID") == "" || seen != 1 ||
			emu.CountCalls("GET", "/v3/certificates") != 1 {
			t.Errorf("status %d, %d requests through the handler", resp.StatusCode, seen)
		}
	})
	c := http.Client{Timeout: 5 * time.Second}
	if resp, err := c.Get(url + "/v3/certificates"); err == nil {
		resp.Body.Close()
		t.Errorf("the emulator still answers after its test ended: %d", resp.StatusCode)
	}
}
