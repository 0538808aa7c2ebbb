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
