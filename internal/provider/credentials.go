package provider

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The merchant private key and the WeChat Pay public key are each given as PEM text or as the path
// of a PEM file. No message repeats the value of a key setting or a path: a key pasted into a
// *_path setting (an easy CI mistake) would otherwise be printed by the error of opening it, on
// the console and in TF_LOG. Messages name the setting, and the variable when the value came from
// the environment.

// pemForms names the two settings a key can be given in, PEM text or the path of a PEM file,
// and their environment variables.
type pemForms struct {
	what, summary     string // in a sentence, in a summary
	textAttr, textEnv string
	pathAttr, pathEnv string
	fileExample       string // the file's usual name
}

var (
	privateKeyForms = pemForms{what: "merchant private key", textAttr: "private_key", textEnv: envPrivateKey,
		pathAttr: "private_key_path", pathEnv: envPrivateKeyPath, summary: "Merchant Private Key",
		fileExample: "apiclient_key.pem"}
	publicKeyForms = pemForms{what: "WeChat Pay public key", textAttr: "wechatpay_public_key", textEnv: envPublicKey,
		pathAttr: "wechatpay_public_key_path", pathEnv: envPublicKeyPath, summary: "WeChat Pay Public Key",
		fileExample: "pub_key.pem"}
)

// pemPrecedence documents resolvePEM in the attribute descriptions.
func pemPrecedence(textEnv, pathEnv string) string {
	return fmt.Sprintf("A key set in the provider block, as text or as a path, takes precedence over both `%s` and "+
		"`%s`; setting both variables is an error, as is setting both forms in the block.", textEnv, pathEnv)
}

// pemSource is where a key comes from: one setting holding PEM text, or the path of a PEM file.
// Its value is "" when the key is set nowhere.
type pemSource struct {
	setting
	isPath bool
}

// what names the source in a message about its content: `private_key`, or the file named by
// `private_key_path` (from WECHATPAY_PRIVATE_KEY_PATH).
func (s pemSource) what() string {
	if s.isPath {
		return "The file named by " + s.name()
	}
	return "The value of " + s.name()
}

// resolvePEM picks where a key comes from. The provider block wins over the environment as a
// whole: a key set in the block, in either form, ignores both environment variables, so that an
// explicit configuration is never overridden by a variable left in a CI job. Both forms at the
// same level is an error, in the block (also refused by the schema's ConflictsWith) and in the
// environment alike, rather than one of them silently winning. ok is false when a diagnostic
// was added.
func resolvePEM(text, file types.String, f pemForms, diags *diag.Diagnostics) (src pemSource, ok bool) {
	set := func(v types.String) bool { return !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" }
	switch {
	case set(text) && set(file):
		diags.AddAttributeError(path.Root(f.textAttr), "Conflicting "+f.summary+" Settings",
			fmt.Sprintf("Both `%s` and `%s` are set in the provider block. Set only one: `%s` to the PEM text of "+
				"the %s, or `%s` to the path of %s.", f.textAttr, f.pathAttr, f.textAttr, f.what, f.pathAttr, f.fileExample))
		return pemSource{}, false
	case set(text):
		return pemSource{setting: setting{attr: f.textAttr, env: f.textEnv, value: text.ValueString()}}, true
	case set(file):
		return pemSource{setting: setting{attr: f.pathAttr, env: f.pathEnv, value: file.ValueString()}, isPath: true}, true
	}
	envText, envPath := os.Getenv(f.textEnv), os.Getenv(f.pathEnv)
	switch {
	case envText != "" && envPath != "":
		diags.AddAttributeError(path.Root(f.textAttr), "Conflicting "+f.summary+" Settings",
			fmt.Sprintf("Both %s and %s are set in the environment, and the provider block sets neither `%s` nor "+
				"`%s`. Unset one of the two variables: %s holds the PEM text of the %s, %s the path of %s. (A key "+
				"set in the provider block would take precedence over both.)",
				f.textEnv, f.pathEnv, f.textAttr, f.pathAttr, f.textEnv, f.what, f.pathEnv, f.fileExample))
		return pemSource{}, false
	case envText != "":
		return pemSource{setting: setting{attr: f.textAttr, env: f.textEnv, value: envText, fromEnv: true}}, true
	case envPath != "":
		return pemSource{setting: setting{attr: f.pathAttr, env: f.pathEnv, value: envPath, fromEnv: true}, isPath: true}, true
	}
	return pemSource{setting: setting{attr: f.textAttr, env: f.textEnv}}, true
}

// readPEM returns the PEM text of src, reading the file when src is a path. ok is false when a
// diagnostic was added. No message repeats the path: a key pasted into it would be printed.
func readPEM(src pemSource, f pemForms, diags *diag.Diagnostics) (pemText string, ok bool) {
	if !src.isPath || src.value == "" {
		return src.value, true
	}
	if strings.Contains(src.value, "-----BEGIN") || strings.ContainsAny(src.value, "\r\n") {
		diags.AddAttributeError(src.path(), "Key Text in a Key Path Setting",
			fmt.Sprintf("%s should hold the path of a file, but it holds PEM text or a line break: this looks like "+
				"the key itself (the value is not shown). Use `%s` / %s for PEM text, or set `%s` / %s to the path "+
				"of %s, on one line.", src.name(), f.textAttr, f.textEnv, f.pathAttr, f.pathEnv, f.fileExample))
		return "", false
	}
	b, err := os.ReadFile(src.value)
	if err != nil {
		diags.AddAttributeError(src.path(), "Unreadable Key File",
			fmt.Sprintf("Cannot read the file named by %s: %s. The path is not repeated here, in case the setting "+
				"holds something other than a path. Set `%s` / %s to the path of %s, readable by the user running "+
				"Terraform, or put the PEM text in `%s` / %s.",
				src.name(), fileErrorKind(err), f.pathAttr, f.pathEnv, f.fileExample, f.textAttr, f.textEnv))
		return "", false
	}
	return string(b), true
}

// fileErrorKind is what went wrong opening or reading a file, without the path that
// os.PathError's own message starts with.
func fileErrorKind(err error) string {
	var pe *fs.PathError
	switch {
	case errors.As(err, &pe):
		return pe.Err.Error()
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return "the file could not be read"
}
