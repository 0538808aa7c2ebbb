package wxpay

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// ParsePrivateKey parses the merchant API private key (apiclient_key.pem,
// PKCS#8). The SDK's own errors do not tell a user what to do, so the common
// mistakes get a sentence each. Key material never appears in an error.
func ParsePrivateKey(pemText string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("merchant private key: no PEM block found; expected the contents of apiclient_key.pem starting with -----BEGIN PRIVATE KEY-----")
	}
	switch block.Type {
	case "PRIVATE KEY":
		key, err := utils.LoadPrivateKey(string(pem.EncodeToMemory(block)))
		if err != nil {
			return nil, fmt.Errorf("merchant private key: not a valid PKCS#8 RSA private key (%s)", sdkReason(err))
		}
		return key, nil
	case "RSA PRIVATE KEY":
		// Some tools write PKCS#1; accepting it is friendlier than asking
		// the user to convert with openssl pkcs8 -topk8.
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, errors.New("merchant private key: the RSA PRIVATE KEY block is not a valid PKCS#1 key")
		}
		return key, nil
	case "CERTIFICATE":
		return nil, errors.New("merchant private key: got a CERTIFICATE (apiclient_cert.pem?); the private key is apiclient_key.pem")
	case "PUBLIC KEY":
		return nil, errors.New("merchant private key: got a PUBLIC KEY; the private key is apiclient_key.pem")
	default:
		return nil, fmt.Errorf("merchant private key: unexpected PEM block %s; expected PRIVATE KEY", pemType(block.Type))
	}
}

// ParsePublicKey parses the WeChat Pay platform public key used in
// public-key mode (pub_key.pem downloaded from the merchant platform).
func ParsePublicKey(pemText string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(pemText)))
	if block == nil {
		return nil, errors.New("wechatpay public key: no PEM block found; expected the contents of the downloaded pub_key.pem starting with -----BEGIN PUBLIC KEY-----")
	}
	switch block.Type {
	case "PUBLIC KEY":
		key, err := utils.LoadPublicKey(string(pem.EncodeToMemory(block)))
		if err != nil {
			return nil, fmt.Errorf("wechatpay public key: not a valid RSA public key (%s)", sdkReason(err))
		}
		return key, nil
	case "PRIVATE KEY", "RSA PRIVATE KEY":
		return nil, errors.New("wechatpay public key: got a PRIVATE KEY; the WeChat Pay public key is the pub_key.pem downloaded from the merchant platform")
	case "CERTIFICATE":
		return nil, errors.New("wechatpay public key: got a CERTIFICATE; platform certificates are downloaded automatically when the APIv3 key is set, the public key must be a PUBLIC KEY block")
	default:
		return nil, fmt.Errorf("wechatpay public key: unexpected PEM block %s; expected PUBLIC KEY", pemType(block.Type))
	}
}

// sdkReason keeps only the SDK's description of a parse failure. One SDK
// message embeds the whole PEM text, which must not be echoed back: as of
// v0.2.21, utils.LoadPublicKey answers a non-RSA key with "<the PEM> is not
// rsa public key". This can go once the SDK stops quoting the key;
// TestNoSecretsInErrors covers it.
func sdkReason(err error) string {
	msg := err.Error()
	if strings.Contains(msg, "-----") {
		return "unsupported key type"
	}
	return msg
}

// pemType names a PEM block type in an error only when it looks like one (EC PRIVATE KEY,
// CERTIFICATE REQUEST): the header line of a mangled file could hold anything, key text included.
func pemType(t string) string {
	if len(t) == 0 || len(t) > 32 {
		return "type"
	}
	for _, r := range t {
		if (r < 'A' || r > 'Z') && r != ' ' {
			return "type"
		}
	}
	return fmt.Sprintf("%q", t)
}
