package provider

import (
	"context"
	"log/slog"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// tflogHandler hands the wxpay client's log records to tflog, with the context of the call that
// logged them, so that they reach Terraform's log (TF_LOG) beside the framework's own lines. The
// client knows nothing of Terraform; this is where its log becomes the provider's.
//
// Levels map one to one (below Debug is Trace); attribute keys are kept as the client writes
// them, groups joined with dots. tflog filters by level itself, so every record is passed on.
type tflogHandler struct {
	attrs  []groupedAttr // from WithAttrs
	prefix string        // the open groups, "a.b."
}

// groupedAttr is an attribute given to WithAttrs with the groups open at the time.
type groupedAttr struct {
	prefix string
	attr   slog.Attr
}

func newTFLogLogger() *slog.Logger { return slog.New(tflogHandler{}) }

func (h tflogHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h tflogHandler) Handle(ctx context.Context, r slog.Record) error {
	fields := make(map[string]any, len(h.attrs)+r.NumAttrs())
	for _, a := range h.attrs {
		addLogField(fields, a.prefix, a.attr)
	}
	r.Attrs(func(a slog.Attr) bool {
		addLogField(fields, h.prefix, a)
		return true
	})
	switch {
	case r.Level >= slog.LevelError:
		tflog.Error(ctx, r.Message, fields)
	case r.Level >= slog.LevelWarn:
		tflog.Warn(ctx, r.Message, fields)
	case r.Level >= slog.LevelInfo:
		tflog.Info(ctx, r.Message, fields)
	case r.Level >= slog.LevelDebug:
		tflog.Debug(ctx, r.Message, fields)
	default:
		tflog.Trace(ctx, r.Message, fields)
	}
	return nil
}

func (h tflogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	next := tflogHandler{attrs: append([]groupedAttr(nil), h.attrs...), prefix: h.prefix}
	for _, a := range attrs {
		next.attrs = append(next.attrs, groupedAttr{h.prefix, a})
	}
	return next
}

func (h tflogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return tflogHandler{attrs: h.attrs, prefix: h.prefix + name + "."}
}

// addLogField adds one attribute as a tflog field, flattening groups into dotted keys and
// dropping empty attributes, as slog's own handlers do.
func addLogField(fields map[string]any, prefix string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		if a.Key != "" {
			prefix += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			addLogField(fields, prefix, g)
		}
		return
	}
	fields[prefix+a.Key] = a.Value.Any()
}
