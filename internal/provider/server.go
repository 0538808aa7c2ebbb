package provider

import (
	"context"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// NewProtocol6Server serves the provider over plugin protocol 6, as providerserver.NewProtocol6
// does, except that each resource and data source call runs under a context that lets go of the
// call's values once it returns.
//
// terraform-plugin-framework v1.19 keeps a cancel function for the context of every call it
// serves and drops them only on StopProvider (registerContext in
// https://github.com/hashicorp/terraform-plugin-framework/blob/v1.19.0/internal/proto6server/serve.go).
// Each would hold the call's whole context chain with its loggers, about 7 KiB, so the process
// would grow by some 22 MiB per 1000 resources, all of it scanned by every garbage collection;
// what the framework keeps is a few hundred bytes a call instead. Serve through
// providerserver.NewProtocol6 again once the framework lets go of a call's context when the call
// returns.
func NewProtocol6Server(version string) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer {
		return releasingServer{providerserver.NewProtocol6(New(version)())()}
	}
}

// releasingServer passes every call on to the framework; the calls made once per resource or
// data source run under a releasingContext. The rest (schema, provider configuration, stop) are
// made a few times per Terraform command and are passed on as they come.
type releasingServer struct {
	tfprotov6.ProviderServer
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return releasing(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return releasing(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return releasing(ctx, req, s.ProviderServer.ReadDataSource)
}

// The list resource (`terraform query`) and action calls answer with a stream that is read after
// the call returns, so they run under the context they came with: a releasingContext would be
// released before the stream is read. They are few per command, so they hold little. The
// framework serves them through interfaces of their own that the embedded ProviderServer does
// not promote, hence these methods.
var (
	_ tfprotov6.ProviderServerWithListResource = releasingServer{}
	_ tfprotov6.ProviderServerWithActions      = releasingServer{}
)

func (s releasingServer) ValidateListResourceConfig(ctx context.Context, req *tfprotov6.ValidateListResourceConfigRequest) (*tfprotov6.ValidateListResourceConfigResponse, error) {
	return s.ProviderServer.(tfprotov6.ListResourceServer).ValidateListResourceConfig(ctx, req)
}

func (s releasingServer) ListResource(ctx context.Context, req *tfprotov6.ListResourceRequest) (*tfprotov6.ListResourceServerStream, error) {
	return s.ProviderServer.(tfprotov6.ListResourceServer).ListResource(ctx, req)
}

func (s releasingServer) ValidateActionConfig(ctx context.Context, req *tfprotov6.ValidateActionConfigRequest) (*tfprotov6.ValidateActionConfigResponse, error) {
	return s.ProviderServer.(tfprotov6.ActionServer).ValidateActionConfig(ctx, req)
}

func (s releasingServer) PlanAction(ctx context.Context, req *tfprotov6.PlanActionRequest) (*tfprotov6.PlanActionResponse, error) {
	return s.ProviderServer.(tfprotov6.ActionServer).PlanAction(ctx, req)
}

func (s releasingServer) InvokeAction(ctx context.Context, req *tfprotov6.InvokeActionRequest) (*tfprotov6.InvokeActionServerStream, error) {
	return s.ProviderServer.(tfprotov6.ActionServer).InvokeAction(ctx, req)
}

// releasing runs call under a releasingContext of ctx and releases it when call returns.
func releasing[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc, release := newReleasingContext(ctx)
	defer release()
	return call(rc, req)
}

// releasingContext is done when the context it was made from is done, has its deadline and
// answers its values, but only until it is released; after that it is cancelled and holds
// nothing of the original context.
type releasingContext struct {
	context.Context // cancellation and deadline: derived from context.Background, not from the original

	mu     sync.RWMutex
	values context.Context // the original context; nil once released
}

func newReleasingContext(ctx context.Context) (*releasingContext, func()) {
	var base context.Context
	var cancelBase context.CancelFunc
	if deadline, ok := ctx.Deadline(); ok {
		base, cancelBase = context.WithDeadline(context.Background(), deadline)
	} else {
		base, cancelBase = context.WithCancel(context.Background())
	}
	rc := &releasingContext{Context: base, values: ctx}
	stop := context.AfterFunc(ctx, cancelBase)
	return rc, func() {
		stop()
		cancelBase()
		rc.mu.Lock()
		rc.values = nil
		rc.mu.Unlock()
	}
}

// Value answers the base context's own values first: contexts derived from a releasingContext
// find its cancellation there and attach to it directly.
func (c *releasingContext) Value(key any) any {
	if v := c.Context.Value(key); v != nil {
		return v
	}
	c.mu.RLock()
	values := c.values
	c.mu.RUnlock()
	if values == nil {
		return nil
	}
	return values.Value(key)
}
