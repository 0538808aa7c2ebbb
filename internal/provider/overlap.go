package provider

import (
	"fmt"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
)

// Overlapping resources. Two resources that manage the same object at WeChat Pay undo each
// other's changes on every apply, and destroying one removes what the other still manages. The
// provider serves every resource of a Terraform run from one configured provider, so each plan
// of such a resource claims what it manages in the run's overlaps, and the plan of the second
// claimant of an object fails, naming the first.
//
// One resource can be planned twice in a run: a replacement is planned from its prior state,
// then again as a create. Two claims of one resource type that differ in that (one from a prior
// state, one a create) are therefore let through; the create then meets the object at WeChat Pay
// and refuses it unless adopt_existing is set (see refuseExisting).

// resourceData is what the provider hands its resources: the client and the run's overlaps.
type resourceData struct {
	client   *wxpay.Client
	overlaps *overlaps
}

// overlaps are the claims of one configured provider, by scope: an activity, a sub-merchant.
type overlaps struct {
	mu     sync.Mutex
	claims map[string][]claim
}

// claim is one resource's plan managing an item of a scope, or the whole scope when item is "".
type claim struct {
	resourceType string
	item         string
	planned      bool   // planned from a prior state rather than as a create
	what         string // the resource in an error, as `wechatpay_… for merchant … of activity …`
}

func newOverlaps() *overlaps {
	return &overlaps{claims: map[string][]claim{}}
}

// overlapsFrom returns the overlaps of the provider data, or nil (no check) without them.
func overlapsFrom(providerData any) *overlaps {
	if d, ok := providerData.(*resourceData); ok {
		return d.overlaps
	}
	return nil
}

// claim records c in scope and returns the claim it collides with, if any.
func (o *overlaps) claim(scope string, c claim) (collides *claim) {
	if o == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, other := range o.claims[scope] {
		if c.item != "" && other.item != "" && c.item != other.item {
			continue
		}
		if c.resourceType == other.resourceType && c.planned != other.planned {
			continue // perhaps one resource planned twice for a replacement
		}
		return &other
	}
	o.claims[scope] = append(o.claims[scope], c)
	return nil
}

// refuseOverlap adds the plan error for a claim at attribute at that collides with another.
func refuseOverlap(diags *diag.Diagnostics, at path.Path, c, other claim, fix string) {
	diags.AddAttributeError(at, "Resources Overlap", fmt.Sprintf("This resource (%s) and another resource of this "+
		"configuration (%s) manage the same object at WeChat Pay. Each apply would undo what the other did, and "+
		"destroying one would remove what the other still manages. %s", c.what, other.what, fix))
}

const (
	typeActivityMerchants = "wechatpay_paygift_activity_merchants"
	typeActivityMerchant  = "wechatpay_paygift_activity_merchant"
)

// claimMembers claims an activity's merchants for a plan of either pay-gift membership
// resource: merchantID "" for the whole list. It fails the plan on a collision.
func claimMembers(o *overlaps, diags *diag.Diagnostics, activityID, merchantID string, planned bool) {
	c := claim{resourceType: typeActivityMerchants, item: merchantID, planned: planned,
		what: fmt.Sprintf("`%s` of activity %s", typeActivityMerchants, activityID)}
	at := path.Root("activity_id")
	if merchantID != "" {
		c.resourceType = typeActivityMerchant
		c.what = fmt.Sprintf("`%s` for merchant %s of activity %s", typeActivityMerchant, merchantID, activityID)
		at = path.Root("merchant_id")
	}
	other := o.claim("activity "+activityID, c)
	if other == nil {
		return
	}
	keepOut := "Take the resource you drop out of the configuration with a `removed` block and `lifecycle { destroy " +
		"= false }` (or set its `deletion_policy = \"ABANDON\"` and apply that first), so that dropping it removes " +
		"no merchant from the activity."
	fix := "Keep one resource for each merchant of an activity. " + keepOut
	switch {
	case c.resourceType != other.resourceType:
		fix = fmt.Sprintf("Manage the activity with one kind of resource: list every merchant in the `merchant_ids` "+
			"of one `%s`, or drop it and keep one `%s` per merchant. %s", typeActivityMerchants, typeActivityMerchant, keepOut)
	case merchantID == "":
		fix = "Keep one list for each activity, with every merchant in its `merchant_ids`. " + keepOut
	}
	refuseOverlap(diags, at, c, *other, fix)
}

// refuseExisting adds the create error for an object that already exists at WeChat Pay while
// adopt_existing is false: HashiCorp's providers' "already exists, import it".
func refuseExisting(diags *diag.Diagnostics, summary, object, resourceType, importID string) {
	diags.AddError(summary, fmt.Sprintf("%s already exists at WeChat Pay, made in the merchant platform, by another "+
		"configuration or by another resource of this one. Nothing was changed, and nothing is recorded in the "+
		"state. To manage it here, import it:\n\n"+
		"  import {\n    to = %s.<name>\n    id = %q\n  }\n\n"+
		"or `terraform import %s.<name> %s`. Make sure no other configuration manages it: destroying either would "+
		"remove it for both. To take it over on create instead, set `adopt_existing = true`.",
		object, resourceType, importID, resourceType, importID))
}

// claimGoldPlan claims one gold plan setting of a sub-merchant (the resource type names it) for a
// plan of that gold plan resource. It fails the plan on a collision.
func claimGoldPlan(o *overlaps, diags *diag.Diagnostics, resourceType, subMchid string, planned bool) {
	c := claim{resourceType: resourceType, planned: planned,
		what: fmt.Sprintf("`%s` of sub-merchant %s", resourceType, subMchid)}
	other := o.claim(resourceType+" "+subMchid, c)
	if other == nil {
		return
	}
	refuseOverlap(diags, path.Root("sub_mchid"), c, *other, fmt.Sprintf("Keep one `%s` for each sub-merchant. Take "+
		"the resource you drop out of the configuration with a `removed` block and `lifecycle { destroy = false }` "+
		"(or set its `deletion_policy = \"ABANDON\"` and apply that first): destroying it would close what the other "+
		"still manages, and a closed gold plan scene cannot be reopened for 24 hours.", resourceType))
}
