package emulator

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
)

// Platform certificates: GET /v3/certificates serves the platform certificate encrypted with
// the APIv3 key, which is how a caller in platform-certificate mode gets it.

type encryptedCertificate struct {
	Algorithm      string `json:"algorithm"`
	Nonce          string `json:"nonce"`
	AssociatedData string `json:"associated_data"`
	Ciphertext     string `json:"ciphertext"`
}

type certificateItem struct {
	SerialNo           string               `json:"serial_no"`
	EffectiveTime      string               `json:"effective_time"`
	ExpireTime         string               `json:"expire_time"`
	EncryptCertificate encryptedCertificate `json:"encrypt_certificate"`
}

// handleCertificates encrypts the certificate with AEAD_AES_256_GCM, a fresh nonce per answer.
func (s *Server) handleCertificates(*exchange) result {
	block, err := aes.NewCipher([]byte(s.keys.APIv3Key))
	if err != nil {
		return systemError()
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return systemError()
	}
	nonce := randomAlnum(12)
	const aad = "certificate"
	ct := gcm.Seal(nil, []byte(nonce), s.certPEM, []byte(aad))
	c := s.keys.PlatformCert
	return okJSON(map[string][]certificateItem{"data": {{
		SerialNo:      s.keys.PlatformSerial,
		EffectiveTime: s.wxTime(c.NotBefore),
		ExpireTime:    s.wxTime(c.NotAfter),
		EncryptCertificate: encryptedCertificate{Algorithm: "AEAD_AES_256_GCM", Nonce: nonce,
			AssociatedData: aad, Ciphertext: base64.StdEncoding.EncodeToString(ct)},
	}}})
}
