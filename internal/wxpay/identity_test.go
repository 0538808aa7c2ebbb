package wxpay

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
)

// checkRefusal fails t unless err is nil where wantErr is "" and mentions wantErr where it is
// not; it reports whether err is a refusal, for the caller to check further.
func checkRefusal(t *testing.T, err error, wantErr string) bool {
	t.Helper()
	if wantErr == "" {
		if err != nil {
			t.Fatalf("rejected: %v", err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Fatalf("err = %v, want it to mention %q", err, wantErr)
	}
	return true
}

// The identities go into request headers: anything but their documented shape is refused, and
// the error names the offending character without repeating the value.
func TestValidateIdentities(t *testing.T) {
	tests := []struct {
		name    string
		check   func(string) error
		in      string
		wantErr string // "" = valid
	}{
		{"mchid 10 digits", ValidateMchID, "1900000001", ""},
		{"mchid 8 digits", ValidateMchID, "10000100", ""},
		{"mchid 32 digits", ValidateMchID, strings.Repeat("1", 32), ""},
		{"mchid empty", ValidateMchID, "", "empty"},
		{"mchid letters", ValidateMchID, "abc", "character 1 is 'a'"},
		{"mchid 7 digits", ValidateMchID, "1234567", "this one has 7"},
		{"mchid 33 digits", ValidateMchID, strings.Repeat("1", 33), "this one has 33"},
		{"mchid with a space", ValidateMchID, " 1900000001", "character 1 is ' '"},
		{"mchid with a quote", ValidateMchID, `19000"00001`, `character 6 is '"'`},
		{"mchid with LF", ValidateMchID, "1900000001\n", `character 11 is '\n'`},
		{"mchid full-width digit", ValidateMchID, "190000000１", "character 10 is '１'"},

		{"serial upper case", ValidateMerchantSerialNumber, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", ""},
		{"serial lower case", ValidateMerchantSerialNumber, "5157f09efdc096de15ebe81a47057a7232f1b8e1", ""},
		{"serial empty", ValidateMerchantSerialNumber, "", "empty"},
		{"serial 39 digits", ValidateMerchantSerialNumber, "5157F09EFDC096DE15EBE81A47057A7232F1B8E", "this one has 39"},
		{"serial 41 digits", ValidateMerchantSerialNumber, "5157F09EFDC096DE15EBE81A47057A7232F1B8E10", "this one has 41"},
		{"serial not hex", ValidateMerchantSerialNumber, "5157F09EFDC096DE15EBE81A47057A7232F1B8EG", "character 40 is 'G'"},
		{"serial with CR", ValidateMerchantSerialNumber, "5157F09EFDC096DE15EBE81A47057A7232F1B8E\r", `character 40 is '\r'`},
		{"serial masked", ValidateMerchantSerialNumber, "3775B6A45ACD588826D15E583A95F5DD********", "character 33 is '*'"},

		{"public key id", ValidatePublicKeyID, "PUB_KEY_ID_0114232134912410000000000000", ""},
		{"public key id empty", ValidatePublicKeyID, "", "empty"},
		{"public key id prefix only", ValidatePublicKeyID, "PUB_KEY_ID_", "1 to 53 digits"},
		{"public key id too short", ValidatePublicKeyID, "PUB_KEY", "only 7 characters"},
		{"public key id lower case", ValidatePublicKeyID, "pub_key_id_0114232134912410000000000000", "character 1 is 'p'"},
		{"public key id no prefix", ValidatePublicKeyID, "0114232134912410000000000000", "starts with PUB_KEY_ID_"},
		{"public key id certificate serial", ValidatePublicKeyID, "5157F09EFDC096DE15EBE81A47057A7232F1B8E1", "starts with PUB_KEY_ID_"},
		{"public key id letters", ValidatePublicKeyID, "PUB_KEY_ID_01142321349124100000000000A0", "character 38 is 'A'"},
		{"public key id with a quote", ValidatePublicKeyID, `PUB_KEY_ID_0114"`, `character 16 is '"'`},
		{"public key id too long", ValidatePublicKeyID, "PUB_KEY_ID_" + strings.Repeat("1", 54), "65 characters in all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check(tt.in)
			if !checkRefusal(t, err, tt.wantErr) {
				return
			}
			// The prefix itself is named by every public key id error, and is no secret.
			if len(tt.in) > 3 && !strings.HasPrefix(PublicKeyIDPrefix, tt.in) && strings.Contains(err.Error(), tt.in) {
				t.Errorf("error %q repeats the value", err)
			}
		})
	}
}

// An answer signed with another WeChat Pay public key means the configured id is wrong: the
// reason says so, in public-key mode and during a migration alike, instead of asking for a
// public key that is configured (or for an APIv3 key that cannot help).
func TestOtherPublicKeyNamesTheConfiguredID(t *testing.T) {
	const other = "PUB_KEY_ID_0119000000012024000000000000000002"
	for _, mode := range []struct {
		name string
		mod  func(*Config)
	}{
		{"public-key mode", nil},
		{"migration", func(c *Config) { c.APIv3Key = testAPIv3Key }},
	} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.mod)
			e.fake.setScript(reply{after: func(h http.Header, _ *string) { h.Set("Wechatpay-Serial", other) }})
			_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
			var ve *VerificationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a VerificationError", err)
			}
			for _, want := range []string{other, `configured public key ID is "` + testPubKeyID + `"`, "check the public key ID"} {
				if !strings.Contains(ve.Reason, want) {
					t.Errorf("reason %q does not mention %q", ve.Reason, want)
				}
			}
			for _, wrong := range []string{"configure the public key ID and public key", "set the APIv3 key"} {
				if strings.Contains(ve.Reason, wrong) {
					t.Errorf("reason %q asks to %q, which is configured or cannot help", ve.Reason, wrong)
				}
			}
			if n := e.fake.certificateCalls(); n != 0 {
				t.Errorf("%d certificate downloads: no platform certificate can verify a public-key signature", n)
			}
		})
	}
}
