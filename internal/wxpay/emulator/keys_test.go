package emulator_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

func TestKeysRoundTrip(t *testing.T) {
	dir := t.TempDir()
	k1, err := emulator.LoadOrCreateKeys(dir, "1900000001")
	if err != nil {
		t.Fatal(err)
	}
	k2, err := emulator.LoadOrCreateKeys(dir, "1900000001")
	if err != nil {
		t.Fatal(err)
	}
	if k1.MerchantSerial != k2.MerchantSerial || k1.PlatformSerial != k2.PlatformSerial || k1.APIv3Key != k2.APIv3Key ||
		!k1.MerchantKey.Equal(k2.MerchantKey) || !k1.PublicKeyModeKey.Equal(k2.PublicKeyModeKey) {
		t.Error("keys not reused")
	}
	// The caller's files load with the official SDK's loaders.
	if _, err := utils.LoadPrivateKeyWithPath(filepath.Join(dir, "merchant_key.pem")); err != nil {
		t.Error(err)
	}
	if pub, err := utils.LoadPublicKeyWithPath(filepath.Join(dir, "wechatpay_public_key.pem")); err != nil || !pub.Equal(&k1.PublicKeyModeKey.PublicKey) {
		t.Errorf("public key: %v", err)
	}
	if cert, err := utils.LoadCertificateWithPath(filepath.Join(dir, "platform_cert.pem")); err != nil || utils.GetCertificateSerialNumber(*cert) != k1.PlatformSerial {
		t.Errorf("platform certificate: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "merchant_key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("merchant key mode %v (%v)", fi.Mode(), err)
	}
	// A broken directory is an error, not silently new keys.
	if err := os.WriteFile(filepath.Join(dir, "emulator_platform_key.pem"), []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := emulator.LoadOrCreateKeys(dir, "1900000001"); err == nil {
		t.Error("loaded a corrupted key directory")
	}
}
