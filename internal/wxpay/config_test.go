package wxpay

import (
	"math"
	"net/http"
	"strings"
	"testing"
)

func TestNewChecksConfig(t *testing.T) {
	key := testPrivateKey(t, "merchant_key.pem")
	pub := &key.PublicKey
	base := func() Config {
		return Config{MchID: testMchID, MerchantSerialNumber: testMerchantSN, PrivateKey: key, PublicKeyID: testPubKeyID, PublicKey: pub}
	}
	tests := []struct {
		name       string
		mod        func(*Config)
		wantErr    string
		wantBackup string // host name of the backup, "" = none
	}{
		{name: "defaults fail over to api2", mod: func(*Config) {}, wantBackup: "api2.mch.weixin.qq.com"},
		{name: "custom endpoint has no backup by default", mod: func(c *Config) { c.Endpoint = "http://127.0.0.1:1" }},
		{name: "NoBackup", mod: func(c *Config) { c.BackupEndpoint = NoBackup }},
		{name: "backup equal to endpoint", mod: func(c *Config) { c.BackupEndpoint = DefaultEndpoint + "/" }},
		{name: "explicit backup", mod: func(c *Config) { c.Endpoint, c.BackupEndpoint = "http://127.0.0.1:1", "http://127.0.0.1:2" }, wantBackup: "127.0.0.1:2"},
		{name: "certificate mode only", mod: certMode, wantBackup: "api2.mch.weixin.qq.com"},
		{name: "missing mchid", mod: func(c *Config) { c.MchID = "" }, wantErr: "mchid"},
		{name: "missing serial", mod: func(c *Config) { c.MerchantSerialNumber = " " }, wantErr: "serial"},
		{name: "mchid with letters", mod: func(c *Config) { c.MchID = "abc" }, wantErr: "mchid: a merchant id is 8 to 32 digits"},
		{name: "mchid with a quote", mod: func(c *Config) { c.MchID = `1900000001",serial_no="X` }, wantErr: `character 11 is '"'`},
		{name: "mchid with CR LF", mod: func(c *Config) { c.MchID = "1900000001\r\nX-Injected: 1" }, wantErr: `character 11 is '\r'`},
		{name: "serial with a quote", mod: func(c *Config) { c.MerchantSerialNumber = `3775B6A45ACD588826D15E583A95F5DD5E2F1B8"` }, wantErr: "40 hex digits"},
		{name: "serial too short", mod: func(c *Config) { c.MerchantSerialNumber = "3775B6A45ACD" }, wantErr: "has 12"},
		{name: "serial with LF", mod: func(c *Config) { c.MerchantSerialNumber = "3775B6A45ACD588826D15E583A95F5DD5E2F1B8\n" }, wantErr: `'\n'`},
		{name: "public key id without prefix", mod: func(c *Config) { c.PublicKeyID = "0114232134912410000000000000" }, wantErr: "public key ID: a WeChat Pay public key id starts with PUB_KEY_ID_"},
		{name: "public key id with CR", mod: func(c *Config) { c.PublicKeyID = "PUB_KEY_ID_0114\r" }, wantErr: `'\r'`},
		{name: "missing key", mod: func(c *Config) { c.PrivateKey = nil }, wantErr: "private key"},
		{name: "key id without key", mod: func(c *Config) { c.PublicKey = nil }, wantErr: "together"},
		{name: "no verification mode", mod: func(c *Config) { c.PublicKeyID, c.PublicKey = "", nil }, wantErr: "no way to verify"},
		{name: "short APIv3 key", mod: func(c *Config) { c.APIv3Key = "short-secret" }, wantErr: "32 bytes"},
		{name: "plain http endpoint", mod: func(c *Config) { c.Endpoint = "http://example.com" }, wantErr: "loopback"},
		{name: "bad backup", mod: func(c *Config) { c.BackupEndpoint = "http://example.com" }, wantErr: "backup endpoint"},
		{name: "negative rate", mod: func(c *Config) { c.RateLimit = -1 }, wantErr: "rate limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base()
			tt.mod(&cfg)
			c, err := New(cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "short-secret") {
					t.Errorf("error %q contains the APIv3 key", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if c.backup != nil {
				got = c.backup.name
			}
			if got != tt.wantBackup {
				t.Errorf("backup = %q, want %q", got, tt.wantBackup)
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		c, err := New(base())
		if err != nil {
			t.Fatal(err)
		}
		if c.maxRetries != DefaultMaxRetries || c.requestTimeout != DefaultRequestTimeout || c.limits.total != nil || !math.IsInf(c.limits.forAPI(authorizeStateAPI).Limit(), 1) ||
			c.failbackAfter != DefaultFailbackAfter || c.certRefresh != DefaultCertRefreshInterval || c.userAgent != "terraform-provider-wechatpay/dev" {
			t.Errorf("defaults not applied: %+v", c)
		}
		tr, ok := c.hc.Transport.(*http.Transport)
		if !ok || tr.MaxIdleConnsPerHost < 32 {
			t.Errorf("transport not tuned for keep-alive: %+v", c.hc.Transport)
		}
	})
}
