package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// emulatorAlone measures the emulator without Terraform or the provider: a bounded loop of
// signed gold plan calls from this process, as many at once as Terraform's default parallelism,
// with the client's own rate limit out of the way. What it serves per second, and the CPU it
// spends per call, say whether it could have been the bottleneck of lines 1-3.
func (b *bench) emulatorAlone() error {
	const calls, workers = 3000, 10
	step("emulator alone: %d signed calls, %d at a time", calls, workers)
	if err := b.emu.fresh(emulator.Seed{CallerRole: emulator.RoleChannelPartner, SubMerchants: subMerchants(9, calls)}); err != nil {
		return err
	}
	r := b.emu.ready
	key, err := wxpay.ParsePrivateKey(readFile(r.PrivateKeyPath))
	if err != nil {
		return err
	}
	pub, err := wxpay.ParsePublicKey(readFile(r.WechatpayPublicKeyPath))
	if err != nil {
		return err
	}
	c, err := wxpay.New(wxpay.Config{MchID: r.MchID, MerchantSerialNumber: r.MerchantSerialNumber, PrivateKey: key,
		PublicKeyID: r.WechatpayPublicKeyID, PublicKey: pub, Endpoint: r.Endpoint, RateLimit: math.MaxInt32, MaxRetries: -1})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	cpu0 := b.emu.cpu()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= calls || ctx.Err() != nil {
					return
				}
				if err := c.ChangeGoldPlanStatus(ctx, subMchid(9, i), wxpay.GoldPlanOpen, wxpay.PaySceneJSAPI); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	emuCPU := b.emu.cpu() - cpu0
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("emulator alone: %d of %d calls failed", n, calls)
	}
	rate := float64(calls) / seconds(wall)
	perCall := emuCPU / calls
	capacity := float64(time.Second) / float64(max(perCall, time.Microsecond)) // one core's worth
	needed := b.pace
	b.add(row{key: "E", id: "E", what: "emulator alone, signed status calls, 10 at a time", floor: "line 1's pace (the fastest engine's)",
		goal: "not the bottleneck", measured: fmt.Sprintf("%.0f calls/s", rate), floorValue: fmt.Sprintf("%.0f calls/s", needed),
		ratio: math.NaN(), met: needed == 0 || rate >= 2*needed})
	b.detail("Emulator alone: %d calls in %s (%.0f/s, shared with this client's signing on the same 2 cores); the "+
		"emulator spent %s CPU per call, so one core serves about %.0f calls/s. Line 1 needed %.0f calls/s: the "+
		"emulator is %s.", calls, dur(wall), rate, perCall.Round(10*time.Microsecond), capacity, needed,
		map[bool]string{true: "not the bottleneck", false: "close to being the bottleneck"}[needed == 0 || rate >= 2*needed])
	return b.emu.control(http.MethodPost, "/reset", nil, nil)
}
