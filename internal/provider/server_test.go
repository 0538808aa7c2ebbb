package provider

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

type ctxKey struct{}

// keepingServer is a framework stand-in that keeps the context of every call, as
// terraform-plugin-framework v1.19 does (a derived context per call, kept until StopProvider).
type keepingServer struct {
	tfprotov6.ProviderServer
	kept *[]keptContext
}

type keptContext struct {
	context.Context
	cancel context.CancelFunc
}

func (s keepingServer) keep(ctx context.Context) {
	if ctx.Value(ctxKey{}) != "call values" {
		panic("the call's values are not visible during the call")
	}
	derived, cancel := context.WithCancel(ctx)
	*s.kept = append(*s.kept, keptContext{derived, cancel})
}

func (s keepingServer) ValidateResourceConfig(ctx context.Context, _ *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	s.keep(ctx)
	return nil, nil
}

func (s keepingServer) UpgradeResourceState(ctx context.Context, _ *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	s.keep(ctx)
	return nil, nil
}

func (s keepingServer) ReadResource(ctx context.Context, _ *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	s.keep(ctx)
	return nil, nil
}

func (s keepingServer) PlanResourceChange(ctx context.Context, _ *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	s.keep(ctx)
	return nil, nil
}

func (s keepingServer) ApplyResourceChange(ctx context.Context, _ *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	s.keep(ctx)
	return nil, nil
}

func (s keepingServer) ImportResourceState(ctx context.Context, _ *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	s.keep(ctx)
	return nil, nil
}

func (s keepingServer) ValidateDataResourceConfig(ctx context.Context, _ *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	s.keep(ctx)
	return nil, nil
}

func (s keepingServer) ReadDataSource(ctx context.Context, _ *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	s.keep(ctx)
	return nil, nil
}

// Every per-resource call sees the call's values, and what the framework keeps of its context
// afterwards answers none of them and is cancelled.
func TestReleasingServerLetsGoOfCallContexts(t *testing.T) {
	var kept []keptContext
	defer func() {
		for _, k := range kept {
			k.cancel()
		}
	}()
	s := releasingServer{keepingServer{kept: &kept}}
	ctx := context.WithValue(context.Background(), ctxKey{}, "call values")
	calls := map[string]func() error{
		"ValidateResourceConfig": func() error { _, err := s.ValidateResourceConfig(ctx, nil); return err },
		"UpgradeResourceState":   func() error { _, err := s.UpgradeResourceState(ctx, nil); return err },
		"ReadResource":           func() error { _, err := s.ReadResource(ctx, nil); return err },
		"PlanResourceChange":     func() error { _, err := s.PlanResourceChange(ctx, nil); return err },
		"ApplyResourceChange":    func() error { _, err := s.ApplyResourceChange(ctx, nil); return err },
		"ImportResourceState":    func() error { _, err := s.ImportResourceState(ctx, nil); return err },
		"ValidateDataResourceConfig": func() error {
			_, err := s.ValidateDataResourceConfig(ctx, nil)
			return err
		},
		"ReadDataSource": func() error { _, err := s.ReadDataSource(ctx, nil); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			kept = kept[:0]
			if err := call(); err != nil {
				t.Fatal(err)
			}
			if len(kept) != 1 {
				t.Fatalf("the call ran %d times through the framework stand-in, want 1", len(kept))
			}
			if v := kept[0].Value(ctxKey{}); v != nil {
				t.Errorf("the kept context still answers the call's value %v", v)
			}
			if kept[0].Err() == nil {
				t.Error("the kept context is not cancelled after the call")
			}
		})
	}
}

func TestReleasingContextFollowsTheCall(t *testing.T) {
	t.Run("cancelled with the call", func(t *testing.T) {
		parent, cancel := context.WithCancel(context.Background())
		rc, release := newReleasingContext(parent)
		defer release()
		derived, stop := context.WithCancel(rc)
		defer stop()
		cancel()
		select {
		case <-derived.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("cancelling the call's context did not reach a context derived from the releasing one")
		}
		if !errors.Is(derived.Err(), context.Canceled) {
			t.Errorf("derived context error %v, want context.Canceled", derived.Err())
		}
	})
	t.Run("keeps the deadline", func(t *testing.T) {
		deadline := time.Now().Add(time.Hour)
		parent, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		rc, release := newReleasingContext(parent)
		defer release()
		if got, ok := rc.Deadline(); !ok || !got.Equal(deadline) {
			t.Errorf("deadline %v, %v; want %v", got, ok, deadline)
		}
	})
	t.Run("released", func(t *testing.T) {
		parent := context.WithValue(context.Background(), ctxKey{}, "v")
		rc, release := newReleasingContext(parent)
		if rc.Value(ctxKey{}) != "v" || rc.Err() != nil {
			t.Fatalf("before release: value %v, err %v", rc.Value(ctxKey{}), rc.Err())
		}
		release()
		if rc.Value(ctxKey{}) != nil || !errors.Is(rc.Err(), context.Canceled) {
			t.Errorf("after release: value %v, err %v; want nil and context.Canceled", rc.Value(ctxKey{}), rc.Err())
		}
	})
}
