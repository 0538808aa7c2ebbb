package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"golang.org/x/sync/errgroup"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

var (
	_ datasource.DataSource              = &merchantAuthorizationStatesDataSource{}
	_ datasource.DataSourceWithConfigure = &merchantAuthorizationStatesDataSource{}
)

// NewMerchantAuthorizationStatesDataSource reads the account-opening confirmation state of many
// sub-merchants at once, e.g. to refuse configuring those that have not confirmed yet.
func NewMerchantAuthorizationStatesDataSource() datasource.DataSource {
	return &merchantAuthorizationStatesDataSource{dataSourceBase{name: "merchant_authorization_states"}}
}

type merchantAuthorizationStatesDataSource struct {
	dataSourceBase
}

type merchantAuthorizationStatesModel struct {
	SubMchids    types.Set      `tfsdk:"sub_mchids"`
	Concurrency  types.Int64    `tfsdk:"concurrency"`
	States       types.Map      `tfsdk:"states"`
	Authorized   types.Set      `tfsdk:"authorized"`
	Unauthorized types.Set      `tfsdk:"unauthorized"`
	Timeouts     timeouts.Value `tfsdk:"timeouts"`
}

const (
	defaultAuthorizationConcurrency = 8
	maxAuthorizationConcurrency     = 32
	// maxReportedFailures keeps one systemic failure (wrong caller role, say) from printing one
	// identical diagnostic per merchant.
	maxReportedFailures = 5
)

func (d *merchantAuthorizationStatesDataSource) Schema(ctx context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads whether each of many sub-merchants has confirmed its account opening " +
			"(商户开户意愿确认), one call per merchant, several at a time within the provider's `rate_limit`. " +
			"Only channel partners (渠道商) and licensed institutions (从业机构) may make these calls. Use it " +
			"in a `precondition` to refuse configuring merchants that have not confirmed yet. If any merchant " +
			"cannot be read, the read fails and the error names the merchant.",
		Attributes: map[string]schema.Attribute{
			"sub_mchids": schema.SetAttribute{
				MarkdownDescription: "Sub-merchant ids (特约商户号) to look up, " + mchIDRule + " each.",
				ElementType:         types.StringType,
				Required:            true,
				Validators: []validator.Set{
					setvalidator.ValueStringsAre(subMchidValidators()...),
				},
			},
			"concurrency": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("How many calls may be in flight at once, 1 to %d; default %d. "+
					"The provider's `rate_limit` applies on top.", maxAuthorizationConcurrency, defaultAuthorizationConcurrency),
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(1, maxAuthorizationConcurrency)},
			},
			"states": schema.MapAttribute{
				MarkdownDescription: "State of every merchant, keyed by sub_mchid: `AUTHORIZE_STATE_AUTHORIZED` or " +
					"`AUTHORIZE_STATE_UNAUTHORIZED`.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"authorized": schema.SetAttribute{
				MarkdownDescription: "The sub_mchids whose state is `AUTHORIZE_STATE_AUTHORIZED`.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"unauthorized": schema.SetAttribute{
				MarkdownDescription: "The sub_mchids whose state is anything else (not confirmed yet, or withdrawn).",
				ElementType:         types.StringType,
				Computed:            true,
			},
		},
		Blocks: map[string]schema.Block{"timeouts": dataSourceTimeouts(ctx)},
	}
}

func (d *merchantAuthorizationStatesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data merchantAuthorizationStatesModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, data.Timeouts.Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	ids := sortedSetStrings(ctx, data.SubMchids, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	limit := defaultAuthorizationConcurrency
	if !data.Concurrency.IsNull() {
		limit = int(data.Concurrency.ValueInt64())
	}
	states := make([]wxpay.AuthorizeState, len(ids))
	errs := forEachLimited(ctx, len(ids), limit, func(ctx context.Context, i int) error {
		s, err := d.client.GetAuthorizeState(ctx, ids[i])
		states[i] = s
		return err
	})
	if addAuthorizationFailures(ctx, ids, errs, &resp.Diagnostics) {
		return
	}

	byID := make(map[string]string, len(ids))
	var yes, no []string
	for i, id := range ids {
		byID[id] = string(states[i])
		if states[i] == wxpay.AuthorizeStateAuthorized {
			yes = append(yes, id)
		} else {
			no = append(no, id)
		}
	}
	data.States = stringMap(ctx, byID, &resp.Diagnostics)
	data.Authorized = knownStringSet(ctx, yes, &resp.Diagnostics)
	data.Unauthorized = knownStringSet(ctx, no, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// addAuthorizationFailures reports the sub-merchants whose state could not be read, each on its
// own element of sub_mchids, the first maxReportedFailures in full and the rest counted. It
// reports whether any failed.
func addAuthorizationFailures(ctx context.Context, ids []string, errs []error, diags *diag.Diagnostics) bool {
	failed := 0
	for i, err := range errs {
		if err == nil {
			continue
		}
		failed++
		if failed > maxReportedFailures {
			continue
		}
		// addCallError words the detail; the diagnostic itself is attached to the merchant.
		var one diag.Diagnostics
		addCallError(ctx, &one, fmt.Sprintf("Unable to Read Authorization State of Sub-Merchant %s", ids[i]), err,
			authorizationHints(ids[i])...)
		for _, dg := range one {
			diags.AddAttributeError(path.Root("sub_mchids").AtSetValue(types.StringValue(ids[i])),
				dg.Summary(), fmt.Sprintf("Sub-merchant %s: %s", ids[i], dg.Detail()))
		}
	}
	if failed > maxReportedFailures {
		diags.AddError("Unable to Read Authorization States",
			fmt.Sprintf("%d more sub-merchants could not be read (%d of %d in all); the errors above show the first %d.",
				failed-maxReportedFailures, failed, len(ids), maxReportedFailures))
	}
	return failed > 0
}

// forEachLimited runs fn(ctx, i) for i in [0, n) with at most limit calls in flight and returns
// each call's error at its index. Every call runs, none is cancelled by another's failure, so
// that every failing merchant can be named; once ctx ends, the calls left fail fast with its error.
func forEachLimited(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) []error {
	errs := make([]error, n)
	var g errgroup.Group
	g.SetLimit(max(limit, 1))
	for i := range n {
		g.Go(func() error {
			errs[i] = fn(ctx, i)
			return nil
		})
	}
	_ = g.Wait() // every error is in errs
	return errs
}
