package main

import (
	"maps"
	"testing"
)

func TestQuietLogsUnlessAsked(t *testing.T) {
	quiet := map[string]string{"TF_LOG_SDK": "off", "TF_LOG_SDK_FRAMEWORK": "off", "TF_LOG_SDK_PROTO": "off",
		"TF_LOG_PROVIDER_WECHATPAY": "off"}
	tests := []struct {
		name    string
		environ []string
		want    map[string]string
	}{
		{"nothing asked", []string{"PATH=/bin", "WECHATPAY_MCHID=1900000001"}, quiet},
		{"TF_LOG", []string{"TF_LOG=DEBUG"}, map[string]string{}},
		{"TF_LOG_PROVIDER", []string{"TF_LOG_PROVIDER=TRACE"}, map[string]string{}},
		{"TF_LOG_SDK_FRAMEWORK", []string{"TF_LOG_SDK_FRAMEWORK=DEBUG"}, map[string]string{}},
		{"OpenTofu", []string{"TOFU_LOG=TRACE"}, map[string]string{}},
		{"acceptance test log", []string{"TF_ACC_LOG_PATH=/tmp/tf.log"}, map[string]string{}},
		{"empty value still asks", []string{"TF_LOG="}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string]string{}
			quietLogsUnlessAsked(tt.environ, func(k, v string) error { got[k] = v; return nil })
			if !maps.Equal(got, tt.want) {
				t.Errorf("set %v, want %v", got, tt.want)
			}
		})
	}
}
