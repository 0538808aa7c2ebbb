package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Keys holds both sides of every credential the emulator and its caller share. The emulator
// keeps the platform private keys; the caller gets the merchant key and the platform public
// halves.
type Keys struct {
	MchID          string
	MerchantSerial string // uppercase hex, like a merchant API certificate serial
	MerchantKey    *rsa.PrivateKey

	PublicKeyID      string // "PUB_KEY_ID_…"
	PublicKeyModeKey *rsa.PrivateKey

	PlatformSerial string // uppercase hex of PlatformCert.SerialNumber
	PlatformKey    *rsa.PrivateKey
	PlatformCert   *x509.Certificate

	APIv3Key string // 32 ASCII characters
}

// Files names what WriteFiles put on disk.
type Files struct {
	Dir string
	// For the caller (the provider / client).
	MerchantKey  string // merchant_key.pem, PKCS#8 "PRIVATE KEY"
	PublicKey    string // wechatpay_public_key.pem, PKIX "PUBLIC KEY" of the public-key mode key
	PlatformCert string // platform_cert.pem
	// For the emulator only, so that a restarted emulator keeps the same identity.
	PublicKeyModeKey string // emulator_public_key_mode_key.pem
	PlatformKey      string // emulator_platform_key.pem
	Meta             string // emulator_keys.json: ids, serials and the APIv3 key
}

const (
	fileMerchantKey      = "merchant_key.pem"
	filePublicKey        = "wechatpay_public_key.pem"
	filePlatformCert     = "platform_cert.pem"
	filePublicKeyModeKey = "emulator_public_key_mode_key.pem"
	filePlatformKey      = "emulator_platform_key.pem"
	fileMeta             = "emulator_keys.json"
)

type keysMeta struct {
	MchID          string `json:"mchid"`
	MerchantSerial string `json:"merchant_serial_number"`
	PublicKeyID    string `json:"wechatpay_public_key_id"`
	PlatformSerial string `json:"platform_serial_number"`
	APIv3Key       string `json:"apiv3_key"`
}

// GenerateKeys makes a fresh identity: three 2048-bit RSA keys, a self-signed platform
// certificate valid for five years, random serials and a random APIv3 key.
func GenerateKeys(mchid string) (*Keys, error) {
	if mchid == "" {
		return nil, errors.New("emulator: mchid is required")
	}
	k := &Keys{MchID: mchid}
	var err error
	if k.MerchantKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, fmt.Errorf("emulator: generate merchant key: %w", err)
	}
	if k.PublicKeyModeKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, fmt.Errorf("emulator: generate public-key mode key: %w", err)
	}
	if k.PlatformKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		return nil, fmt.Errorf("emulator: generate platform key: %w", err)
	}
	k.MerchantSerial = randomSerialHex()
	k.PublicKeyID = "PUB_KEY_ID_01" + mchid + randomDigits(10)
	k.APIv3Key = randomAlnum(32)

	serial, ok := new(big.Int).SetString(randomSerialHex(), 16)
	if !ok {
		return nil, errors.New("emulator: platform serial")
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         "Tenpay.com Root CA (wxpay-emulator)",
			Organization:       []string{"Tenpay.com"},
			OrganizationalUnit: []string{"Tenpay.com CA Center"},
			Country:            []string{"CN"},
		},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PlatformKey.PublicKey, k.PlatformKey)
	if err != nil {
		return nil, fmt.Errorf("emulator: create platform certificate: %w", err)
	}
	if k.PlatformCert, err = x509.ParseCertificate(der); err != nil {
		return nil, fmt.Errorf("emulator: parse platform certificate: %w", err)
	}
	k.PlatformSerial = certSerial(k.PlatformCert)
	return k, nil
}

// certSerial spells a certificate serial the way WeChat Pay and its SDK do.
func certSerial(c *x509.Certificate) string {
	return fmt.Sprintf("%X", c.SerialNumber.Bytes())
}

// LoadOrCreateKeys reuses the identity stored in dir when all its files are present, so that
// a restarted emulator keeps working with an already configured provider; otherwise it
// generates one and writes it there. A different mchid keeps the keys and renames the caller.
func LoadOrCreateKeys(dir, mchid string) (*Keys, error) {
	k, err := loadKeys(dir)
	if err == nil {
		if mchid != "" && mchid != k.MchID {
			k.MchID = mchid
			if _, err := k.WriteFiles(dir); err != nil {
				return nil, err
			}
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if k, err = GenerateKeys(mchid); err != nil {
		return nil, err
	}
	if _, err := k.WriteFiles(dir); err != nil {
		return nil, err
	}
	return k, nil
}

func loadKeys(dir string) (*Keys, error) {
	raw, err := os.ReadFile(filepath.Join(dir, fileMeta))
	if err != nil {
		return nil, err
	}
	var m keysMeta
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("emulator: %s: %w", fileMeta, err)
	}
	k := &Keys{MchID: m.MchID, MerchantSerial: m.MerchantSerial, PublicKeyID: m.PublicKeyID,
		PlatformSerial: m.PlatformSerial, APIv3Key: m.APIv3Key}
	if k.MerchantKey, err = readPrivateKey(filepath.Join(dir, fileMerchantKey)); err != nil {
		return nil, err
	}
	if k.PublicKeyModeKey, err = readPrivateKey(filepath.Join(dir, filePublicKeyModeKey)); err != nil {
		return nil, err
	}
	if k.PlatformKey, err = readPrivateKey(filepath.Join(dir, filePlatformKey)); err != nil {
		return nil, err
	}
	certPEM, err := os.ReadFile(filepath.Join(dir, filePlatformCert))
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("emulator: %s holds no certificate", filePlatformCert)
	}
	if k.PlatformCert, err = x509.ParseCertificate(block.Bytes); err != nil {
		return nil, fmt.Errorf("emulator: %s: %w", filePlatformCert, err)
	}
	if k.MchID == "" || k.MerchantSerial == "" || k.PublicKeyID == "" || len(k.APIv3Key) != 32 ||
		k.PlatformSerial != certSerial(k.PlatformCert) {
		return nil, fmt.Errorf("emulator: %s is incomplete or does not match %s", fileMeta, filePlatformCert)
	}
	return k, nil
}

func readPrivateKey(path string) (*rsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("emulator: %s holds no PKCS#8 private key", filepath.Base(path))
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("emulator: %s: %w", filepath.Base(path), err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("emulator: %s is not an RSA key", filepath.Base(path))
	}
	return rk, nil
}

// WriteFiles stores the identity in dir (created if needed). Private keys and the meta file
// are written 0600. Keys are PKCS#8, the only form the official SDK loads.
func (k *Keys) WriteFiles(dir string) (Files, error) {
	f := Files{
		Dir:              dir,
		MerchantKey:      filepath.Join(dir, fileMerchantKey),
		PublicKey:        filepath.Join(dir, filePublicKey),
		PlatformCert:     filepath.Join(dir, filePlatformCert),
		PublicKeyModeKey: filepath.Join(dir, filePublicKeyModeKey),
		PlatformKey:      filepath.Join(dir, filePlatformKey),
		Meta:             filepath.Join(dir, fileMeta),
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f, fmt.Errorf("emulator: %w", err)
	}
	merchantPEM, err := PrivateKeyPEM(k.MerchantKey)
	if err != nil {
		return f, err
	}
	pubModePEM, err := PrivateKeyPEM(k.PublicKeyModeKey)
	if err != nil {
		return f, err
	}
	platformPEM, err := PrivateKeyPEM(k.PlatformKey)
	if err != nil {
		return f, err
	}
	pubPEM, err := PublicKeyPEM(&k.PublicKeyModeKey.PublicKey)
	if err != nil {
		return f, err
	}
	meta, err := json.MarshalIndent(keysMeta{MchID: k.MchID, MerchantSerial: k.MerchantSerial,
		PublicKeyID: k.PublicKeyID, PlatformSerial: k.PlatformSerial, APIv3Key: k.APIv3Key}, "", "  ")
	if err != nil {
		return f, err
	}
	writes := []struct {
		path string
		data []byte
		mode os.FileMode
	}{
		{f.MerchantKey, merchantPEM, 0o600},
		{f.PublicKeyModeKey, pubModePEM, 0o600},
		{f.PlatformKey, platformPEM, 0o600},
		{f.PublicKey, pubPEM, 0o644},
		{f.PlatformCert, k.PlatformCertPEM(), 0o644},
		{f.Meta, append(meta, '\n'), 0o600},
	}
	for _, w := range writes {
		if err := os.WriteFile(w.path, w.data, w.mode); err != nil {
			return f, fmt.Errorf("emulator: %w", err)
		}
	}
	return f, nil
}

// PlatformCertPEM is the platform certificate as served (encrypted) by GET /v3/certificates.
func (k *Keys) PlatformCertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.PlatformCert.Raw})
}

// PublicKeyModePEM is the "WeChat Pay public key" a merchant downloads once in public-key mode.
func (k *Keys) PublicKeyModePEM() []byte {
	b, _ := PublicKeyPEM(&k.PublicKeyModeKey.PublicKey)
	return b
}

// MerchantKeyPEM is the caller's private key, PKCS#8.
func (k *Keys) MerchantKeyPEM() []byte {
	b, _ := PrivateKeyPEM(k.MerchantKey)
	return b
}

// PrivateKeyPEM encodes key as PKCS#8 "PRIVATE KEY".
func PrivateKeyPEM(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("emulator: marshal private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// PublicKeyPEM encodes key as PKIX "PUBLIC KEY".
func PublicKeyPEM(key *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("emulator: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// randomSerialHex gives 40 uppercase hex digits with a non-zero first nibble, so the value
// survives the big.Int round trip certificate serials go through.
func randomSerialHex() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	b[0] = b[0]%0x60 + 0x10
	return strings.ToUpper(hex.EncodeToString(b))
}

const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomAlnum(n int) string { return randomFrom(alnum, n) }

func randomDigits(n int) string { return randomFrom(alnum[:10], n) }

func randomFrom(chars string, n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = chars[int(b[i])%len(chars)]
	}
	return string(b)
}
