package provider

import (
	"context"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// Shared by the list resources of `terraform query` (Terraform 1.14 and later). Each finds the
// objects WeChat Pay can enumerate and returns, per object, its identity and, when Terraform
// asks for it (`include_resource = true`), the state a refresh would read, so that
// `terraform query -generate-config-out` writes configuration and import blocks that plan with
// no change.

// listResult is one result: the identity, the display name and, if asked for, the resource's
// attributes (the others, such as `timeouts`, stay null as in the configuration written from it).
func listResult(ctx context.Context, req list.ListRequest, displayName string, identity any, attrs map[string]attr.Value) list.ListResult {
	result := req.NewListResult(ctx)
	result.DisplayName = displayName
	setIdentity(ctx, result.Identity, identity, &result.Diagnostics)
	if req.IncludeResource {
		setAttributes(ctx, result.Resource, attrs, &result.Diagnostics)
	}
	return result
}

func setAttributes(ctx context.Context, res *tfsdk.Resource, attrs map[string]attr.Value, diags *diag.Diagnostics) {
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		diags.Append(res.SetAttribute(ctx, path.Root(name), attrs[name])...)
	}
}

// listConfig reads a list block's `config` into cfg. When it cannot, the stream reports why and
// ok is false.
func listConfig(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream, cfg any) (ok bool) {
	diags := req.Config.Get(ctx, cfg)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return false
	}
	return true
}

// resultStream hands results to Terraform until it has the list block's `limit` of them or
// stops reading.
type resultStream struct {
	push    func(list.ListResult) bool
	limit   int64
	sent    int64
	stopped bool // Terraform stopped reading
}

// send pushes one result and reports whether the listing should go on.
func (s *resultStream) send(r list.ListResult) bool {
	s.sent++
	s.stopped = !s.push(r)
	return !s.stopped && underLimit(s.sent, s.limit)
}

// fail reports a failed listing as the stream's last result, unless Terraform stopped reading
// first.
func (s *resultStream) fail(ctx context.Context, summary string, err error, hints ...hint) {
	if s.stopped {
		return
	}
	var diags diag.Diagnostics
	addCallError(ctx, &diags, summary, err, hints...)
	s.push(list.ListResult{Diagnostics: diags})
}

// underLimit reports whether a list that has returned n results may return another. Terraform
// sends the list block's `limit` (100 unless set); none means no limit.
func underLimit(n, limit int64) bool { return limit <= 0 || n < limit }
