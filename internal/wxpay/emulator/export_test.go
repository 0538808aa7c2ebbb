package emulator

import (
	"crypto/x509"
	"net/http"
)

// What the tests in package emulator_test check below the HTTP interface.

const (
	AuthScheme      = authScheme
	SignWindow      = signWindow
	KeysMetaFile    = fileMeta
	ActivityStopped = activityStopped
)

var (
	Roles = roles
	CST   = cst
)

// AuthFields are the five fields of an Authorization header.
type AuthFields struct{ MchID, Nonce, Timestamp, Serial, Signature string }

// ParseAuthorization reads an Authorization header, or says why it is refused.
func ParseAuthorization(h string) (AuthFields, string) {
	a, issue := parseAuthorization(h)
	return AuthFields{MchID: a.mchid, Nonce: a.nonce, Timestamp: a.timestamp, Serial: a.serial, Signature: a.signature}, issue
}

// VerifyRequest checks a request's signature; status is the refusal's.
func (s *Server) VerifyRequest(r *http.Request, body []byte) (status int, refused bool) {
	_, res, refused := s.verifyRequest(r, body)
	return res.status, refused
}

// CheckFault is InjectFault's check of a fault.
func (s *Server) CheckFault(f Fault) error {
	_, err := s.injectFault(f)
	return err
}

// CertSerial spells a certificate's serial as WeChat Pay does.
func CertSerial(c *x509.Certificate) string { return certSerial(c) }

// DialectTable is every dialect as Server.Dialects describes it, without a server.
func DialectTable() []DialectInfo {
	out := make([]DialectInfo, len(dialectTable))
	for i, d := range dialectTable {
		out[i] = DialectInfo{Name: d.name, Default: d.values[0], Values: d.values, About: d.about}
	}
	return out
}

// DefaultDialects is every dialect at its default value.
func DefaultDialects() map[string]string { return defaultDialects() }
