package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Resource attributes that every resource spells the same way.

// identifyingAttribute is a required argument that names the object in WeChat Pay: another
// value is another object, so changing it replaces the resource.
func identifyingAttribute(validators []validator.String, description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Required:            true,
		Validators:          validators,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
	}
}

// stableAttribute is a computed value that stays as it is while the object exists, such as the
// resource's id: a plan shows it rather than "(known after apply)".
func stableAttribute(description string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: description,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// deletionPolicyAttribute is `deletion_policy`, the Google providers' way to decline what a
// destroy does at WeChat Pay (see deletion.go). removes says what DELETE does, as "closes the
// gold plan of the sub-merchant".
func deletionPolicyAttribute(removes string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "What a destroy of this resource does at WeChat Pay: `terraform destroy`, removing it " +
			"from the configuration, or a replacement. `DELETE` (default) " + removes + "; `ABANDON` only removes " +
			"the resource from the Terraform state and calls nothing, leaving WeChat Pay as it is. The default is " +
			"`DELETE` because a destroy is expected to undo what the resource did; every plan that would destroy it " +
			"says so in a warning. The value in the state decides, so apply `ABANDON` before the destroy; changing " +
			"it is an in-place update that calls nothing. To refuse a destroy outright, use Terraform's own " +
			"`lifecycle { prevent_destroy = true }`.",
		Optional:   true,
		Computed:   true,
		Default:    stringdefault.StaticString(deletionPolicyDelete),
		Validators: []validator.String{stringvalidator.OneOf(deletionPolicyDelete, deletionPolicyAbandon)},
	}
}

// adoptExistingAttribute is `adopt_existing`: whether a create takes over an object that already
// exists at WeChat Pay (see refuseExisting). object names it, as "the membership".
func adoptExistingAttribute(object string) schema.BoolAttribute {
	return schema.BoolAttribute{
		MarkdownDescription: "What a create does when " + object + " already exists at WeChat Pay, made in the merchant " +
			"platform, by another configuration or by another resource of this one. `false` (default): the create " +
			"fails with an error that says how to import it, so that two configurations never manage one object " +
			"unknowingly (destroying either would remove it for both). `true`: the create takes it over as it is, " +
			"calling nothing. Changing it is an in-place update that calls nothing.",
		Optional: true,
		Computed: true,
		Default:  booldefault.StaticBool(false),
	}
}

// reassertAttribute is `reassert`: a value whose change re-sends a gold plan resource's settings
// in place. WeChat Pay cannot read a gold plan back, so a change made in the merchant platform
// never shows in a plan; replacing the resource to put it back would close the gold plan first.
func reassertAttribute(sends string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: "Any value, such as a date; changing it " + sends + " again in an in-place update, " +
			"never closing anything. WeChat Pay has no call that reads a gold plan back, so a change made in the " +
			"merchant platform never shows in a plan: change `reassert` (for example from a variable, for every " +
			"sub-merchant at once) to put the configuration back. On Terraform 1.14 and later the " +
			"`wechatpay_goldplan_reapply` action does the same without a change to the configuration.",
		Optional: true,
	}
}

// readAttribute is a string a data source reads from WeChat Pay.
func readAttribute(description string) dschema.StringAttribute {
	return dschema.StringAttribute{MarkdownDescription: description, Computed: true}
}
