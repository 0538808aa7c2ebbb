package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	dtimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/datasource/timeouts"
	rtimeouts "github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// How long an operation may take, retries included, when the resource's or data source's
// `timeouts` does not say. Pay-gift changes get longer: WeChat Pay refuses a change to an
// activity while the previous one is still being applied, and a list of thousands takes many
// calls of 500.
const (
	defaultReadTimeout          = 5 * time.Minute
	defaultGoldPlanTimeout      = 5 * time.Minute
	defaultPartnershipTimeout   = 5 * time.Minute
	defaultPayGiftChangeTimeout = 20 * time.Minute
)

// withTimeout bounds ctx by one operation's timeout: timeout is the Create, Read, Update or
// Delete method of the model's `timeouts` value, def the operation's default.
func withTimeout(ctx context.Context, timeout func(context.Context, time.Duration) (time.Duration, diag.Diagnostics),
	def time.Duration, diags *diag.Diagnostics) (context.Context, context.CancelFunc) {
	d, problems := timeout(ctx, def)
	diags.Append(problems...)
	return context.WithTimeout(ctx, d)
}

// inPlaceArguments are the arguments whose change calls nothing at WeChat Pay: how long to wait,
// what a destroy does, what a create does with an object that exists.
var inPlaceArguments = []string{"timeouts", "deletion_policy", "adopt_existing"}

// updateWithoutCalls is the Update of a resource whose every other argument replaces it: it
// records the planned in-place arguments over the prior state and calls nothing.
func updateWithoutCalls(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = req.State.Raw
	for _, name := range inPlaceArguments {
		if !hasAttribute(ctx, req.Plan.Schema, name) {
			continue
		}
		var v attr.Value
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root(name), &v)...)
		if resp.Diagnostics.HasError() {
			return
		}
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(name), v)...)
	}
}

// The `timeouts` block. A block, as in HashiCorp's AWS and Google providers, because that is how
// the users of those providers write it (`timeouts { create = "10m" }`); each argument's
// description gives its default, which otherwise lived only here.

const timeoutsBlockDescription = "How long each operation may take, retries and waits included, as a duration " +
	"such as `\"30s\"` or `\"2h45m\"`. A block, written `timeouts { create = \"10m\" }` as in HashiCorp's AWS and " +
	"Google providers. Changing it calls nothing."

func timeoutDescription(operation string, def time.Duration) string {
	return fmt.Sprintf("How long %s may take; default `%q`.", operation, durationText(def))
}

// resourceTimeouts is a resource's `timeouts` block; change is the default of its writes.
func resourceTimeouts(ctx context.Context, opts rtimeouts.Opts, change time.Duration) rschema.Block {
	if opts.Create {
		opts.CreateDescription = timeoutDescription("a create", change)
	}
	if opts.Read {
		opts.ReadDescription = timeoutDescription("a refresh", defaultReadTimeout)
	}
	if opts.Update {
		opts.UpdateDescription = timeoutDescription("an update", change)
	}
	if opts.Delete {
		opts.DeleteDescription = timeoutDescription("a destroy", change)
	}
	b := rtimeouts.Block(ctx, opts).(rschema.SingleNestedBlock)
	b.MarkdownDescription = timeoutsBlockDescription
	return b
}

// dataSourceTimeouts is a data source's `timeouts` block.
func dataSourceTimeouts(ctx context.Context) dschema.Block {
	b := dtimeouts.BlockWithOpts(ctx, dtimeouts.Opts{ReadDescription: timeoutDescription("a read", defaultReadTimeout)})
	sb := b.(dschema.SingleNestedBlock)
	sb.MarkdownDescription = strings.TrimSuffix(timeoutsBlockDescription, " Changing it calls nothing.")
	return sb
}
