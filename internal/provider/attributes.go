package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
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
