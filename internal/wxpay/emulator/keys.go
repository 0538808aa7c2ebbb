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
	"slices"
	"strings"
	"sync"
	"time"
)

// Keys holds both sides of every credential the emulator and its callers share. The emulator
// keeps the platform private keys; each caller gets its merchant key and the platform public
// halves.
type Keys struct {
	// The default caller, a channel partner: the one caller of earlier versions, whose files
	// (merchant_key.pem, env.sh) keep their names.
	MchID          string
	MerchantSerial string // uppercase hex, like a merchant API certificate serial
	MerchantKey    *rsa.PrivateKey
	// Callers are the other merchants that may call the API, one per other role by default.
	Callers []CallerKey

	PublicKeyID      string // "PUB_KEY_ID_…"
	PublicKeyModeKey *rsa.PrivateKey

	PlatformSerial string // uppercase hex of PlatformCert.SerialNumber
	PlatformKey    *rsa.PrivateKey
	PlatformCert   *x509.Certificate

	APIv3Key string // 32 ASCII characters
}

// CallerKey is one merchant that may call the API: its id, role and merchant API key.
type CallerKey struct {
	Name   string // names its files: merchant_key-NAME.pem, env-NAME.sh
	MchID  string
	Role   string // RoleServiceProvider, RoleChannelPartner, RoleInstitution or RoleMerchant
	Serial string // uppercase hex, like a merchant API certificate serial
	Key    *rsa.PrivateKey
}

// Caller names of the callers GenerateKeys makes, one per role.
const (
	CallerChannelPartner  = "channel-partner" // the default caller (Keys.MchID)
	CallerServiceProvider = "service-provider"
	CallerInstitution     = "institution"
	CallerMerchant        = "merchant"
)

// otherCallers are the callers besides the default one, with the mchids they get unless the
// default caller already has one of them.
var otherCallers = []struct{ name, role, mchid string }{
	{CallerServiceProvider, RoleServiceProvider, "1900000002"},
	{CallerInstitution, RoleInstitution, "1900000003"},
	{CallerMerchant, RoleMerchant, "1900000004"},
}

// AllCallers lists every caller, the default one (CallerChannelPartner) first.
func (k *Keys) AllCallers() []CallerKey {
	out := []CallerKey{{Name: CallerChannelPartner, MchID: k.MchID, Role: RoleChannelPartner,
		Serial: k.MerchantSerial, Key: k.MerchantKey}}
	for _, c := range k.Callers {
		if c.MchID != k.MchID {
			out = append(out, c)
		}
	}
	return out
}

// Caller finds a caller by name (CallerMerchant, …).
func (k *Keys) Caller(name string) (CallerKey, bool) {
	for _, c := range k.AllCallers() {
		if c.Name == name {
			return c, true
		}
	}
	return CallerKey{}, false
}

// Files names what WriteFiles put on disk.
type Files struct {
	Dir string
	// For the default caller (the provider / client).
	MerchantKey string // merchant_key.pem, PKCS#8 "PRIVATE KEY"
	// CallerKeys maps every caller's name to its private key file; the default caller's is
	// MerchantKey.
	CallerKeys   map[string]string
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
	MchID          string       `json:"mchid"`
	MerchantSerial string       `json:"merchant_serial_number"`
	PublicKeyID    string       `json:"wechatpay_public_key_id"`
	PlatformSerial string       `json:"platform_serial_number"`
	APIv3Key       string       `json:"apiv3_key"`
	Callers        []callerMeta `json:"callers,omitempty"`
}

type callerMeta struct {
	Name           string `json:"name"`
	MchID          string `json:"mchid"`
	Role           string `json:"role"`
	MerchantSerial string `json:"merchant_serial_number"`
}

func callerKeyFile(name string) string { return "merchant_key-" + name + ".pem" }

// addOtherCallers gives k the callers of otherCallers it lacks, each with a new key and serial.
func (k *Keys) addOtherCallers() error {
	used := map[string]bool{k.MchID: true}
	have := map[string]bool{}
	for _, c := range k.Callers {
		used[c.MchID], have[c.Name] = true, true
	}
	var missing []CallerKey
	next := 2
	for _, oc := range otherCallers {
		if have[oc.name] {
			continue
		}
		mchid := oc.mchid
		for used[mchid] {
			mchid = fmt.Sprintf("19%08d", next)
			next++
		}
		used[mchid] = true
		missing = append(missing, CallerKey{Name: oc.name, MchID: mchid, Role: oc.role, Serial: randomSerialHex()})
	}
	keys, err := generateRSAKeys(len(missing))
	if err != nil {
		return fmt.Errorf("emulator: generate caller keys: %w", err)
	}
	for i := range missing {
		missing[i].Key = keys[i]
	}
	k.Callers = append(k.Callers, missing...)
	return nil
}

// generateRSAKeys makes n 2048-bit keys side by side: generating them is what makes a new
// identity slow.
func generateRSAKeys(n int) ([]*rsa.PrivateKey, error) {
	keys := make([]*rsa.PrivateKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = rsa.GenerateKey(rand.Reader, 2048)
		}()
	}
	wg.Wait()
	return keys, errors.Join(errs...)
}

// GenerateKeys makes a fresh identity: the default caller (a channel partner with id mchid),
// one more caller per other role (Keys.Callers), 2048-bit RSA keys, a self-signed platform
// certificate valid for five years, random serials and a random APIv3 key.
func GenerateKeys(mchid string) (*Keys, error) {
	if mchid == "" {
		return nil, errors.New("emulator: mchid is required")
	}
	k := &Keys{MchID: mchid}
	keys, err := generateRSAKeys(3)
	if err != nil {
		return nil, fmt.Errorf("emulator: generate keys: %w", err)
	}
	k.MerchantKey, k.PublicKeyModeKey, k.PlatformKey = keys[0], keys[1], keys[2]
	if err := k.addOtherCallers(); err != nil {
		return nil, err
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
// generates one and writes it there. A different mchid keeps the keys and renames the
// default caller; callers an older emulator did not make are added.
func LoadOrCreateKeys(dir, mchid string) (*Keys, error) {
	k, err := loadKeys(dir)
	if err == nil {
		changed := false
		if mchid != "" && mchid != k.MchID {
			for _, c := range k.Callers {
				if c.MchID == mchid {
					return nil, fmt.Errorf("emulator: mchid %s is already the %s caller's in %s; pick another -mchid or another -dir", mchid, c.Name, dir)
				}
			}
			k.MchID, changed = mchid, true
		}
		n := len(k.Callers)
		if err := k.addOtherCallers(); err != nil {
			return nil, err
		}
		if len(k.Callers) != n {
			changed = true
		}
		if changed {
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
	for _, c := range m.Callers {
		ck := CallerKey{Name: c.Name, MchID: c.MchID, Role: c.Role, Serial: c.MerchantSerial}
		if ck.Key, err = readPrivateKey(filepath.Join(dir, callerKeyFile(c.Name))); err != nil {
			return nil, err
		}
		if ck.Name == "" || ck.MchID == "" || ck.Serial == "" || !slices.Contains(roles, ck.Role) {
			return nil, fmt.Errorf("emulator: %s: caller %q is incomplete", fileMeta, c.Name)
		}
		k.Callers = append(k.Callers, ck)
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
		CallerKeys:       map[string]string{CallerChannelPartner: filepath.Join(dir, fileMerchantKey)},
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
	type write struct {
		path string
		data []byte
		mode os.FileMode
	}
	writes := []write{
		{f.MerchantKey, merchantPEM, 0o600},
		{f.PublicKeyModeKey, pubModePEM, 0o600},
		{f.PlatformKey, platformPEM, 0o600},
		{f.PublicKey, pubPEM, 0o644},
		{f.PlatformCert, k.PlatformCertPEM(), 0o644},
	}
	m := keysMeta{MchID: k.MchID, MerchantSerial: k.MerchantSerial,
		PublicKeyID: k.PublicKeyID, PlatformSerial: k.PlatformSerial, APIv3Key: k.APIv3Key}
	for _, c := range k.Callers {
		keyPEM, err := PrivateKeyPEM(c.Key)
		if err != nil {
			return f, err
		}
		path := filepath.Join(dir, callerKeyFile(c.Name))
		f.CallerKeys[c.Name] = path
		writes = append(writes, write{path, keyPEM, 0o600})
		m.Callers = append(m.Callers, callerMeta{Name: c.Name, MchID: c.MchID, Role: c.Role, MerchantSerial: c.Serial})
	}
	meta, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return f, err
	}
	writes = append(writes, write{f.Meta, append(meta, '\n'), 0o600})
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
