package wxpay

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
)

func TestParseKeys(t *testing.T) {
	rsaKey := testPrivateKey(t, "merchant_key.pem")
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	pubPEM := readTestdata(t, "platform_pubkey_mode_pub.pem")
	privPEM := readTestdata(t, "merchant_key.pem")
	garbledPriv := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not DER")}))
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}}))

	privTests := []struct {
		name, in, wantErr string
	}{
		{"PKCS#8", privPEM, ""},
		{"PKCS#8 with surrounding whitespace", "\n  " + privPEM + "\n", ""},
		{"PKCS#1", pkcs1, ""},
		{"not PEM", "hello", "no PEM block"},
		{"public key instead", pubPEM, "got a PUBLIC KEY"},
		{"certificate instead", certPEM, "CERTIFICATE"},
		{"garbled DER", garbledPriv, "not a valid PKCS#8"},
		{"EC key block", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1}})), `unexpected PEM block "EC PRIVATE KEY"`},
		// A mangled header line is not repeated: it could hold key text.
		{"key text in the header", string(pem.EncodeToMemory(&pem.Block{Type: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", Bytes: []byte{1}})), "unexpected PEM block type;"},
	}
	for _, tt := range privTests {
		t.Run("private/"+tt.name, func(t *testing.T) {
			k, err := ParsePrivateKey(tt.in)
			if tt.wantErr == "" {
				if err != nil || k == nil || k.N.Cmp(rsaKey.N) != 0 {
					t.Fatalf("got %v, %v", k != nil, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
	pubTests := []struct {
		name, in, wantErr string
	}{
		{"PKIX", pubPEM, ""},
		{"not PEM", "", "no PEM block"},
		{"private key instead", privPEM, "got a PRIVATE KEY"},
		{"certificate instead", certPEM, "CERTIFICATE"},
	}
	for _, tt := range pubTests {
		t.Run("public/"+tt.name, func(t *testing.T) {
			k, err := ParsePublicKey(tt.in)
			if tt.wantErr == "" {
				if err != nil || k == nil {
					t.Fatalf("got %v, %v", k, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "MII") {
				t.Errorf("error %q contains key material", err)
			}
		})
	}
}
