// Package emulatortest starts the WeChat Pay emulator in tests: one identity per test binary,
// since generating its RSA keys is the slow part, and one emulator per test, with a state of its
// own, served on a loopback port and stopped when the test ends.
package emulatortest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// MchID is the merchant id of the caller the test identity is made for.
const MchID = "1900000001"

var identity struct {
	once sync.Once
	keys *emulator.Keys
	err  error
}

// Keys is the test binary's identity, shared by every emulator and caller of the binary.
func Keys(t testing.TB) *emulator.Keys {
	t.Helper()
	identity.once.Do(func() { identity.keys, identity.err = emulator.GenerateKeys(MchID) })
	if identity.err != nil {
		t.Fatalf("emulator keys: %v", identity.err)
	}
	return identity.keys
}

// KeyFiles writes the identity's key files into a folder that is removed when t ends.
func KeyFiles(t testing.TB) emulator.Files {
	t.Helper()
	files, err := Keys(t).WriteFiles(t.TempDir())
	if err != nil {
		t.Fatalf("emulator key files: %v", err)
	}
	return files
}

// Emulator is an emulator serving one test; its Keys are the test identity.
type Emulator struct {
	*emulator.Server
	URL  string           // the endpoint: http://127.0.0.1:<port>
	HTTP *httptest.Server // the server in front of it
}

// An Option changes how New starts an emulator.
type Option func(*settings)

type settings struct {
	options emulator.Options
	seed    *emulator.Seed
	wrap    func(http.Handler) http.Handler
}

// WithSeed starts the emulator with seed as its state.
func WithSeed(seed emulator.Seed) Option { return func(s *settings) { s.seed = &seed } }

// WithOptions changes the emulator's options; Keys starts as the test identity.
func WithOptions(change func(*emulator.Options)) Option {
	return func(s *settings) { change(&s.options) }
}

// WithHandler serves the emulator through wrap, to watch or hold its requests.
func WithHandler(wrap func(http.Handler) http.Handler) Option {
	return func(s *settings) { s.wrap = wrap }
}

// New starts an emulator that is stopped when t ends.
func New(t testing.TB, opts ...Option) *Emulator {
	t.Helper()
	s := settings{options: emulator.Options{Keys: Keys(t)}}
	for _, o := range opts {
		o(&s)
	}
	srv := emulator.New(s.options)
	if s.seed != nil {
		if err := srv.Seed(*s.seed); err != nil {
			srv.Close()
			t.Fatalf("seed emulator: %v", err)
		}
	}
	var h http.Handler = srv
	if s.wrap != nil {
		h = s.wrap(srv)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close() // first: it lets go of the requests a fault holds, which hs.Close waits for
		hs.Close()
	})
	return &Emulator{Server: srv, URL: hs.URL, HTTP: hs}
}
