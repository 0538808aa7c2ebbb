package provider

import (
	"context"
	"strings"
	"testing"

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
func importID(t *testing.T, r resource.Resource, id string) (schema.Schema, tfsdk.State, bool) {
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
	return sr.Schema, resp.State, !resp.Diagnostics.HasError()
}

// FuzzImportID imports arbitrary ids into every importable resource. An id is either refused
// with a diagnostic, or accepted; an accepted id lands in state as `id` unchanged, and every
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
	} {
		f.Add(id)
	}
	resources := importable()
	if len(resources) == 0 {
		f.Fatal("no importable resources")
	}
	f.Fuzz(func(t *testing.T, id string) {
		for name, r := range resources {
			sch, st, ok := importID(t, r, id)
			if !ok {
				continue
			}
			var got types.String
			if d := st.GetAttribute(context.Background(), path.Root("id"), &got); d.HasError() || got.ValueString() != id {
				t.Fatalf("%s: import of %q set id %q", name, id, got.ValueString())
			}
			checkImportedValues(t, name, id, sch, st)
		}
	})
}

// checkImportedValues runs the configuration validators of every string attribute import set,
// nested ones included.
func checkImportedValues(t *testing.T, name, id string, sch schema.Schema, st tfsdk.State) {
	ctx := context.Background()
	check := func(p path.Path, validators []validator.String) {
		var v types.String
		if d := st.GetAttribute(ctx, p, &v); d.HasError() || v.IsNull() || v.IsUnknown() {
			return
		}
		for _, val := range validators {
			var resp validator.StringResponse
			val.ValidateString(ctx, validator.StringRequest{Path: p, ConfigValue: v}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("%s: import of %q stored %s = %q, which a configuration may not hold: %s", name, id, p,
					v.ValueString(), strings.TrimSpace(resp.Diagnostics[0].Detail()))
			}
		}
	}
	for attrName, a := range sch.Attributes {
		switch a := a.(type) {
		case schema.StringAttribute:
			check(path.Root(attrName), a.Validators)
		case schema.SingleNestedAttribute:
			for nested, na := range a.Attributes {
				if sa, ok := na.(schema.StringAttribute); ok {
					check(path.Root(attrName).AtName(nested), sa.Validators)
				}
			}
		}
	}
}
