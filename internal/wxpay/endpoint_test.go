package wxpay

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateEndpoint(t *testing.T) {
	tests := []struct {
		raw     string
		wantErr string // "" = valid
	}{
		{"https://api.mch.weixin.qq.com", ""},
		{"https://api2.mch.weixin.qq.com/", ""},
		{"https://proxy.example.com:8443", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.1.2.3", ""},
		{"http://[::1]:9000", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST", ""},
		{"http://api.mch.weixin.qq.com", "only allowed for loopback"},
		{"http://10.0.0.1:8080", "only allowed for loopback"},
		{"http://128.0.0.1", "only allowed for loopback"},
		{"http://localhost.example.com", "only allowed for loopback"},
		{"ftp://127.0.0.1", "must use https"},
		{"api.mch.weixin.qq.com", "has no host"},
		{"https://", "has no host"},
		{"https://api.mch.weixin.qq.com/v3", "must not contain a path"},
		{"https://api.mch.weixin.qq.com/?a=1", "must not contain a path"},
		{"https://api.mch.weixin.qq.com/#x", "must not contain a path"},
		{"https://user:secret@api.mch.weixin.qq.com", "user information"},
		{"", "empty"},
		{"://bad", "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := ValidateEndpoint(tt.raw)
			if !checkRefusal(t, err, tt.wantErr) {
				return
			}
			if tt.raw != "" && !strings.Contains(err.Error(), "https://") {
				t.Errorf("error %q does not show the fix", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q echoes a password", err)
			}
		})
	}
}

func TestFailover(t *testing.T) {
	t.Run("5xx moves to backup, sticks, then fails back after the cool-down", func(t *testing.T) {
		e := newEnvWithBackup(t, nil)
		e.fake.setDown("primary", true)
		ctx := context.Background()
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup" {
			t.Fatalf("first call hosts = %s", got)
		}
		e.fake.setDown("primary", false)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup,backup" {
			t.Fatalf("second call should stay on the backup: %s", got)
		}
		e.clock.Advance(DefaultFailbackAfter)
		if _, err := e.client.GetAuthorizeState(ctx, "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup,backup,primary" {
			t.Fatalf("after the cool-down the client should be back on the primary: %s", got)
		}
	})
	t.Run("connection refused on primary", func(t *testing.T) {
		e := newEnvWithBackup(t, func(c *Config) { c.Endpoint = refusedURL(t) })
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "backup" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("per-attempt timeout moves to backup", func(t *testing.T) {
		e := newEnvWithBackup(t, func(c *Config) { c.RequestTimeout = 100 * time.Millisecond })
		e.fake.setScript(reply{block: true}, reply{})
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("both hosts down: alternate and report the last error", func(t *testing.T) {
		e := newEnvWithBackup(t, func(c *Config) { c.MaxRetries = 3 })
		e.fake.setDown("primary", true)
		e.fake.setDown("backup", true)
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		var ae *APIError
		if !errors.As(err, &ae) || ae.StatusCode != 503 || ae.Attempts != 4 || !IsTransient(err) {
			t.Fatalf("err = %v", err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,backup,primary,backup" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("rate limit refusals do not fail over", func(t *testing.T) {
		e := newEnvWithBackup(t, nil)
		e.fake.setScript(apiErr(429, "FREQUENCY_LIMITED", "频率超限"), reply{})
		if _, err := e.client.GetAuthorizeState(context.Background(), "1900000109"); err != nil {
			t.Fatal(err)
		}
		if got := hosts(e.fake.businessCalls()); got != "primary,primary" {
			t.Fatalf("hosts = %s", got)
		}
	})
	t.Run("all attempts refused gives a NetworkError", func(t *testing.T) {
		e := newEnv(t, func(c *Config) { c.Endpoint = refusedURL(t); c.MaxRetries = 1 })
		_, err := e.client.GetAuthorizeState(context.Background(), "1900000109")
		var ne *NetworkError
		if !errors.As(err, &ne) || ne.Attempts != 2 || !IsTransient(err) {
			t.Fatalf("err = %v", err)
		}
	})
}

// newEnvWithBackup is newEnv with failover to the fake's backup host.
func newEnvWithBackup(t *testing.T, mod func(*Config)) *testEnv {
	t.Helper()
	return newEnv(t, func(c *Config) {
		c.BackupEndpoint = useFakeBackup
		if mod != nil {
			mod(c)
		}
	})
}
