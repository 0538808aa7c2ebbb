package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// importable lists every resource that can be imported, by type name, built afresh per call.
func importable() map[string]resource.Resource {
	out := map[string]resource.Resource{}
	for _, newResource := range New("test")().Resources(context.Background()) {
		r := newResource()
		if _, ok := r.(resource.ResourceWithImportState); !ok {
			continue
		}
		var md resource.MetadataResponse
		r.Metadata(context.Background(), resource.MetadataRequest{ProviderTypeName: "wechatpay"}, &md)
		out[md.TypeName] = r
	}
	return out
}

// importID runs a resource's ImportState the way Terraform does: into an empty state.
func importID(t *testing.T, r resource.Resource, id string) (schema.Schema, tfsdk.State, diag.Diagnostics) {
	ri, ok := r.(resource.ResourceWithImportState)
	if !ok {
		t.Fatalf("%T does not implement ImportState", r)
	}
	ctx := context.Background()
	var sr resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sr)
	resp := resource.ImportStateResponse{State: tfsdk.State{
		Schema: sr.Schema,
		Raw:    tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil),
	}}
	ri.ImportState(ctx, resource.ImportStateRequest{ID: id}, &resp)
	return sr.Schema, resp.State, resp.Diagnostics
}

// An import id of a gold plan resource may carry the settings in force; they are checked with
// the attribute's own validators, so a wrong one is told what a configuration holding it is.
func TestGoldPlanImportIDSettings(t *testing.T) {
	resources := importable()
	tests := []struct {
		resourceType, id string
		want             []string // the carried settings stored, sorted
		wantErr          []string // parts of the refusal's detail
	}{
		{resourceType: "wechatpay_goldplan_status", id: "1900000109:JSAPI,MINIPROGRAM", want: []string{"JSAPI", "MINIPROGRAM"}},
		{resourceType: "wechatpay_goldplan_status", id: "1900000109:MINIPROGRAM", want: []string{"MINIPROGRAM"}},
		{resourceType: "wechatpay_goldplan_status", id: "1900000109:JSAPI,APP",
			wantErr: []string{`pay_scenes "JSAPI,APP" is not valid`, `must be one of`, `"APP"`}},
		{resourceType: "wechatpay_goldplan_status", id: "1900000109:jsapi", wantErr: []string{`must be one of`, `"jsapi"`}},
		{resourceType: "wechatpay_goldplan_status", id: "1900000109:", wantErr: []string{`pay_scenes "" is not valid`}},
		// A repeat is almost surely a typo for another value: refused, not merged.
		{resourceType: "wechatpay_goldplan_status", id: "1900000109:JSAPI,JSAPI",
			wantErr: []string{`pay_scenes "JSAPI,JSAPI" is not valid: it names "JSAPI" twice; name each value once`}},
		{resourceType: "wechatpay_goldplan_advertising", id: "1900000109:FINANCE,GAME", want: []string{"FINANCE", "GAME"}},
		{resourceType: "wechatpay_goldplan_advertising", id: "1900000109:FINANCE,PHOTOGRAPHY", wantErr: []string{
			`industry_filters "FINANCE,PHOTOGRAPHY" is not valid: WeChat Pay spells this industry "POTOGRAPHY", not "PHOTOGRAPHY"`}},
		{resourceType: "wechatpay_goldplan_advertising", id: "1900000109:business",
			wantErr: []string{`WeChat Pay spells this industry "BUSSINESS", not "business"`}},
		{resourceType: "wechatpay_goldplan_advertising", id: "1900000109:FINANCE,GAME,CAR,LAW",
			wantErr: []string{`industry_filters "FINANCE,GAME,CAR,LAW" is not valid`, "at most 3", "got: 4"}},
		{resourceType: "wechatpay_goldplan_advertising", id: "1900000109:GAME,FINANCE,GAME", wantErr: []string{`names "GAME" twice`}},
		{resourceType: "wechatpay_goldplan_custom_page", id: "1900000109:JSAPI", wantErr: []string{"Import this resource by the sub-merchant id"}},
	}
	for _, tt := range tests {
		t.Run(tt.resourceType+" "+tt.id, func(t *testing.T) {
			r, ok := resources[tt.resourceType]
			if !ok {
				t.Fatalf("%s is not importable", tt.resourceType)
			}
			_, st, diags := importID(t, r, tt.id)
			if tt.wantErr != nil {
				if !diags.HasError() || diags.Errors()[0].Summary() != invalidImportID {
					t.Fatalf("diagnostics %v, want %s", diags, invalidImportID)
				}
				detail := diags.Errors()[0].Detail()
				for _, w := range append(tt.wantErr, "`terraform import "+tt.resourceType+".example 1900000109") {
					if !strings.Contains(detail, w) {
						t.Errorf("the refusal does not say %q:\n%s", w, detail)
					}
				}
				return
			}
			// The advertising resource also marks its private state, which only the framework can
			// set up: that error is not the import id's.
			for _, d := range diags.Errors() {
				if d.Summary() == invalidImportID {
					t.Fatal(diags)
				}
			}
			var got []string
			attr := map[string]string{"wechatpay_goldplan_status": "pay_scenes", "wechatpay_goldplan_advertising": "industry_filters"}[tt.resourceType]
			if d := st.GetAttribute(context.Background(), path.Root(attr), &got); d.HasError() {
				t.Fatal(d)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s = %q, want %q", attr, got, tt.want)
			}
		})
	}
}

// FuzzImportID imports arbitrary ids into every importable resource. An id is either refused
// with a diagnostic, or accepted; an accepted id lands in state as `id` unchanged (a gold plan's
// without the settings it carries), and every
// value import derived from it passes the validators the same attribute has in a configuration:
// import must not create a state that no configuration could have produced (and that would be
// sent to WeChat Pay as a path segment).
func FuzzImportID(f *testing.F) {
	for _, id := range []string{
		"1900000109", "", "19000001090000000000000000000000000", "1900000109 ", "abc",
		"10028001/1900000109", "10028001/", "/1900000109", "10028001/1900000109/x", "../../v3/certificates/1900000109",
		"APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK:98065001", "MERCHANT:1900000109:FAVOR_STOCK:98065001",
		"APPID:wx4e1916a585d1f4e9:BUSIFAVOR_STOCK", "APPID::BUSIFAVOR_STOCK:1", "MERCHANT:1900000109:OTHER:1",
		"10028001", "10028001?limit=1", "1002 8001", "活动",
		"1900000109:JSAPI,MINIPROGRAM", "1900000109:FINANCE,GAME", "1900000109:PHOTOGRAPHY", "1900000109:JSAPI,JSAPI",
		"1900000109:", "1900000109:FINANCE,GAME,CAR,LAW",
	} {
		f.Add(id)
	}
	resources := importable()
	if len(resources) == 0 {
		f.Fatal("no importable resources")
	}
	f.Fuzz(func(t *testing.T, id string) {
		for name, r := range resources {
			sch, st, diags := importID(t, r, id)
			if diags.HasError() {
				continue
			}
			// A gold plan id may carry the settings in force after a colon; they land in their own
			// attribute, checked below.
			var got types.String
			if d := st.GetAttribute(context.Background(), path.Root("id"), &got); d.HasError() ||
				(got.ValueString() != id && !strings.HasPrefix(id, got.ValueString()+":")) {
				t.Fatalf("%s: import of %q set id %q", name, id, got.ValueString())
			}
			checkImportedValues(t, name, id, sch, st)
		}
	})
}

// checkImportedValues runs the configuration validators of every string and set attribute import
// set, nested ones included.
func checkImportedValues(t *testing.T, name, id string, sch schema.Schema, st tfsdk.State) {
	what := fmt.Sprintf("%s: import of %q", name, id)
	for attrName, a := range sch.Attributes {
		switch a := a.(type) {
		case schema.StringAttribute:
			checkStored(t, what, st, path.Root(attrName), a.Validators, validateString)
		case schema.SetAttribute:
			checkStored(t, what, st, path.Root(attrName), a.Validators, validateSet)
		case schema.SingleNestedAttribute:
			for nested, na := range a.Attributes {
				if sa, ok := na.(schema.StringAttribute); ok {
					checkStored(t, what, st, path.Root(attrName).AtName(nested), sa.Validators, validateString)
				}
			}
		}
	}
}

// checkStored fails the test when a validator refuses the value stored at p, if one is.
func checkStored[V attr.Value, X any](t *testing.T, what string, st tfsdk.State, p path.Path, validators []X, validate func(X, path.Path, V) diag.Diagnostics) {
	t.Helper()
	var v V
	if d := st.GetAttribute(context.Background(), p, &v); d.HasError() || v.IsNull() || v.IsUnknown() {
		return
	}
	for _, x := range validators {
		if d := validate(x, p, v); d.HasError() {
			t.Fatalf("%s stored %s = %s, which a configuration may not hold: %s", what, p, v, strings.TrimSpace(d[0].Detail()))
		}
	}
}

func validateString(x validator.String, p path.Path, v types.String) diag.Diagnostics {
	var resp validator.StringResponse
	x.ValidateString(context.Background(), validator.StringRequest{Path: p, ConfigValue: v}, &resp)
	return resp.Diagnostics
}

func validateSet(x validator.Set, p path.Path, v types.Set) diag.Diagnostics {
	var resp validator.SetResponse
	x.ValidateSet(context.Background(), validator.SetRequest{Path: p, ConfigValue: v}, &resp)
	return resp.Diagnostics
}
