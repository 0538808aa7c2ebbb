package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func TestParsePartnershipID(t *testing.T) {
	tests := []struct {
		id      string
		wantErr string
	}{
		{id: "APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001"},
		{id: "MERCHANT:1900000109:BUSIFAVOR_STOCK:98065001"},
		{id: "APPID:wx1:FAVOR_STOCK:2433405"},
		{id: "APPID:wx1:BUSIFAVOR_STOCK", wantErr: "Import this resource by `<partner.type>:"},
		{id: "APPID:wx1:BUSIFAVOR_STOCK:1:2", wantErr: "Import this resource by `<partner.type>:"},
		{id: "OPENID:wx1:BUSIFAVOR_STOCK:1", wantErr: `partner.type "OPENID" is not valid`},
		{id: "MERCHANT:wx1:BUSIFAVOR_STOCK:1", wantErr: `partner.merchant_id "wx1" is not valid`},
		{id: "APPID::BUSIFAVOR_STOCK:1", wantErr: `partner.appid "" is not valid`},
		{id: "APPID:wx1:COUPON:1", wantErr: `authorized_data.business_type "COUPON" is not valid`},
		{id: "APPID:wx1:BUSIFAVOR_STOCK:", wantErr: `authorized_data.stock_id "" is not valid`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var diags diag.Diagnostics
			p, d, ok := parsePartnershipID(context.Background(), tt.id, &diags)
			if tt.wantErr != "" {
				if ok || !diags.HasError() || diags[0].Summary() != "Invalid Import ID" ||
					!strings.Contains(diags[0].Detail(), tt.wantErr) {
					t.Fatalf("diagnostics %v, want Invalid Import ID saying %q", diags, tt.wantErr)
				}
				return
			}
			if !ok || diags.HasError() {
				t.Fatal(diags)
			}
			if back := partnershipID(p, d); back != tt.id {
				t.Errorf("round trip gave %q", back)
			}
		})
	}
}
