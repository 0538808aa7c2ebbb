package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Shared by the pay-gift (支付有礼) resources and data source.

// payGiftHints explain the pay-gift answers a user can act on; they come before the common ones.
var payGiftHints = []hint{
	{wxpay.ReasonActivityNotRunning,
		"The activity is not running, and WeChat Pay lets an activity's merchants change only while its status is " +
			"`ONGOING_ACT_STATUS`. Check the activity with the `wechatpay_paygift_activity` data source. If it has " +
			"ended for good, stop managing it with `terraform state rm` instead of changing it."},
	{wxpay.ReasonChangeInProgress,
		"WeChat Pay was still applying an earlier change to this activity on every attempt. Wait a little and apply " +
			"again; the change is sent with the same request numbers only within one apply, and adding or removing a " +
			"merchant twice is harmless."},
	{wxpay.ReasonConcurrentChange,
		"Another change to this activity's merchants was running at the same time on every attempt. Make sure only " +
			"one configuration manages the activity (an authoritative `wechatpay_paygift_activity_merchants` and " +
			"`wechatpay_paygift_activity_merchant` must not share an activity), then apply again."},
	{wxpay.ReasonResourceNotExists, unknownActivityAdvice},
	{wxpay.ReasonActivityNotExists, unknownActivityAdvice},
	{wxpay.ReasonNoAuth,
		"The activity belongs to another merchant: only the activity's owner (`belong_merchant_id`) can read or " +
			"change its merchants. Configure the provider with the owner's credentials."},
}

const unknownActivityAdvice = "WeChat Pay knows no activity with this `activity_id`. Check the id in the merchant " +
	"platform (营销中心 > 支付有礼)."

// activityIDArgument is `activity_id` of the pay-gift data sources: the activity to read.
func activityIDArgument() dschema.StringAttribute {
	return dschema.StringAttribute{
		MarkdownDescription: activityIDDescription,
		Required:            true,
		Validators:          activityIDValidators(),
	}
}

// addRefusedError lists every id WeChat Pay refused with its reason, in one diagnostic.
func addRefusedError(diags *diag.Diagnostics, summary, activityID string, refused []wxpay.InvalidMerchant, othersKept string) {
	var b strings.Builder
	fmt.Fprintf(&b, "WeChat Pay refused %d merchant id(s) for activity %s; they did not become members:\n", len(refused), activityID)
	for _, r := range refused {
		fmt.Fprintf(&b, "  - %s: %s%s (Request-ID %s)\n", r.Mchid, r.InvalidReason, reasonAdvice(r), orNone(r.RequestID))
	}
	b.WriteString("\nFix or remove these ids in the configuration and apply again. ")
	b.WriteString(othersKept)
	diags.AddError(summary, b.String())
}

func reasonAdvice(r wxpay.InvalidMerchant) string {
	switch r.Reason() {
	case wxpay.ReasonMerchantNotExists:
		return " (WeChat Pay does not know this merchant id; check it for typos)"
	case wxpay.ReasonNotSubMerchant:
		return " (not a sub-merchant of the calling service provider `mchid`)"
	}
	return ""
}

// addPayGiftCallError reports a failed pay-gift call, naming the activity's status when WeChat Pay
// refused a change for it: the refusal does not always carry it.
func addPayGiftCallError(ctx context.Context, diags *diag.Diagnostics, summary string, err error) {
	var notRunning *wxpay.ActivityNotRunningError
	if errors.As(err, &notRunning) {
		diags.AddError(summary, fmt.Sprintf("Activity %s is %s, not %s: its merchants cannot change. %s",
			notRunning.ActivityID, notRunning.Status, wxpay.ActivityStatusOngoing, callErrorDetail(ctx, err, payGiftHints)))
		return
	}
	addCallError(ctx, diags, summary, err, payGiftHints...)
}

// listMemberIDs reads every member of an activity, in WeChat Pay's order.
func listMemberIDs(ctx context.Context, c *wxpay.Client, activityID string) ([]string, error) {
	ms, err := c.ListAllActivityMerchants(ctx, activityID)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		ids = append(ids, m.Mchid)
	}
	return ids, nil
}

// minus returns the ids of a that are not in b, sorted.
func minus(a, b []string) []string {
	drop := make(map[string]bool, len(b))
	for _, id := range b {
		drop[id] = true
	}
	out := []string{}
	for _, id := range a {
		if !drop[id] {
			drop[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// someIDs spells a sorted list of ids, the first few of a long one.
func someIDs(ids []string) string {
	const shown = 5
	if len(ids) <= shown {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:shown], ", "), len(ids)-shown)
}
