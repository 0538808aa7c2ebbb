package wxpay

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ValidateEndpoint accepts https URLs for any host, and plain http only for
// loopback hosts, where the local emulator runs: signed requests to a real
// host must never travel in clear text. A path or query would be silently
// dropped by the signing code, so they are refused rather than ignored.
func ValidateEndpoint(raw string) error {
	if strings.TrimSpace(raw) == "" {
		return fmt.Errorf("endpoint is empty; use %s or a loopback URL such as http://127.0.0.1:8080 for the emulator", DefaultEndpoint)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("endpoint %q is not a valid URL (%v); write it as https://host[:port], e.g. %s", raw, err, DefaultEndpoint)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("endpoint %q has no host; write it as https://host[:port], e.g. %s", raw, DefaultEndpoint)
	}
	if u.User != nil {
		return fmt.Errorf("endpoint %q must not contain user information; write it as https://host[:port]", redactUser(u))
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return fmt.Errorf("endpoint %q must not contain a path, query or fragment; use only %s://%s", raw, u.Scheme, u.Host)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("endpoint %q uses plain http, which is only allowed for loopback hosts (127.0.0.0/8, ::1, localhost); use https://%s", raw, u.Host)
	default:
		return fmt.Errorf("endpoint %q must use https (or http for a loopback host), e.g. %s", raw, DefaultEndpoint)
	}
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func redactUser(u *url.URL) string {
	c := *u
	c.User = url.User("REDACTED")
	return c.String()
}

// normalizeEndpoint returns scheme://host without a trailing slash, so that
// base+path never produces "//v3".
func normalizeEndpoint(raw string) string {
	return strings.TrimRight(raw, "/")
}

// host is one of the hosts a Client calls: the primary, or the backup it fails over to (another
// WeChat Pay region). The host is not signed, so an attempt may go to either.
type host struct {
	base string // scheme://host[:port]
	name string // host[:port], for errors and logs
}

func newHost(base string) host {
	u, _ := url.Parse(base)
	return host{base: base, name: u.Host}
}

// pickHost returns the host for the next attempt: the backup while the
// primary is cooling down after a failure, the primary otherwise.
func (c *Client) pickHost() host {
	if c.backup == nil {
		return c.primary
	}
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	if c.onBackup && !c.now().Before(c.backupSince.Add(c.failbackAfter)) {
		c.onBackup = false
	}
	if c.onBackup {
		return *c.backup
	}
	return c.primary
}

// hostFailed moves the next attempt to the other host. Only a failure of the
// host currently in use flips it, so concurrent calls failing together do not
// bounce the client back and forth.
func (c *Client) hostFailed(h host) {
	if c.backup == nil {
		return
	}
	c.hostMu.Lock()
	defer c.hostMu.Unlock()
	switch {
	case h == c.primary && !c.onBackup:
		c.onBackup, c.backupSince = true, c.now()
	case h == *c.backup && c.onBackup:
		c.onBackup = false
	}
}
