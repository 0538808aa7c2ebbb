package wxpay_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
)

// heldCalls holds the answers to the first `hold` add and delete calls of one activity, after the
// emulator applied them, until the test releases each: while one is held, the client's later
// changes of that activity queue up.
type heldCalls struct {
	activity string
	hold     int32
	seen     atomic.Int32
	arrived  chan struct{} // one per held call
	release  chan struct{} // one per held call
	gone     chan struct{} // one per held call the client gave up on
}

func holdCalls(activity string, hold int32) *heldCalls {
	return &heldCalls{activity: activity, hold: hold, arrived: make(chan struct{}, hold), release: make(chan struct{}),
		gone: make(chan struct{}, hold)}
}

func (h *heldCalls) front(emu http.Handler) http.Handler {
	prefix := "/v3/marketing/paygiftactivity/activities/" + h.activity + "/merchants/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		emu.ServeHTTP(w, r)
		if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, prefix) && h.seen.Add(1) <= h.hold {
			h.arrived <- struct{}{}
			select {
			case <-h.release:
			case <-r.Context().Done():
				h.gone <- struct{}{}
			}
		}
	})
}

// oneCallUnderWay starts an add of subMchid(0) on a client of a new emulator with 10
// sub-merchants, and holds its answer (and those of the next hold-1 changes of the activity)
// until the test releases it: the client's later changes of the activity queue up behind it.
func oneCallUnderWay(t *testing.T, hold int32) (*heldCalls, *emulator.Server, *wxpay.Client, *adds) {
	t.Helper()
	held := holdCalls(payGiftActivity, hold)
	srv, c := payGiftEnvBehind(t, 10, held.front)
	first := startAdds(t, c, nil, [][]string{{subMchid(0)}}, -1)
	<-held.arrived
	return held, srv, c, first
}

// waitFor waits until cond holds, failing the test after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// addResult is what one caller's Add returned.
type addResult struct {
	added   []string
	refused []wxpay.InvalidMerchant
	err     error
}

// adds are changes started side by side, one per id list.
type adds struct {
	results  []addResult
	returned []chan struct{} // closed when that change's Add returned
}

// wait waits for every change to return and gives their results.
func (a *adds) wait() []addResult {
	for _, ch := range a.returned {
		<-ch
	}
	return a.results
}

// startAdds starts one change per id list, each adding its ids in a goroutine of its own (under
// its context from ctxs, when there is one), and waits until the lane holds alreadyWaiting+
// len(lists) waiting requests.
func startAdds(t *testing.T, c *wxpay.Client, ctxs []context.Context, lists [][]string, alreadyWaiting int) *adds {
	t.Helper()
	return startChanges(t, c, payGiftActivity, false, ctxs, lists, alreadyWaiting)
}

// startChanges is startAdds for any activity, adding or removing.
func startChanges(t *testing.T, c *wxpay.Client, activity string, remove bool, ctxs []context.Context, lists [][]string, alreadyWaiting int) *adds {
	t.Helper()
	a := &adds{results: make([]addResult, len(lists))}
	for i, ids := range lists {
		ctx := context.Background()
		if ctxs != nil && ctxs[i] != nil {
			ctx = ctxs[i]
		}
		returned := make(chan struct{})
		a.returned = append(a.returned, returned)
		go func() {
			defer close(returned)
			change := c.NewActivityMerchantsChange(activity)
			var r addResult
			if remove {
				r.added, r.err = change.Remove(ctx, ids)
			} else {
				r.added, r.refused, r.err = change.Add(ctx, ids)
			}
			a.results[i] = r
		}()
	}
	if alreadyWaiting >= 0 {
		waitFor(t, "the changes to queue", func() bool {
			return wxpay.WaitingMemberChanges(c, activity) == alreadyWaiting+len(lists)
		})
	}
	return a
}

// sentIDs is the merchant_id_list of a logged call.
func sentIDs(t *testing.T, call emulator.Call) []string {
	t.Helper()
	var body struct {
		MerchantIDList []string `json:"merchant_id_list"`
	}
	if err := json.Unmarshal([]byte(call.Body), &body); err != nil {
		t.Fatalf("call %d: %v", call.Seq, err)
	}
	return slices.Sorted(slices.Values(body.MerchantIDList))
}

// callsTo are the logged calls of one METHOD path.
func callsTo(srv *emulator.Server, method, path string) []emulator.Call {
	return slices.DeleteFunc(srv.Calls(), func(c emulator.Call) bool { return c.Method != method || c.Path != path })
}

// Adds of one activity that wait for a call under way go together in the next call, and each
// caller gets back its own ids: added, or refused with WeChat Pay's reason and the Request-ID of
// the answer that refused them.
func TestActivityMerchantsChangesTravelTogether(t *testing.T) {
	held := holdCalls(payGiftActivity, 1)
	var requestIDs []string
	var mu sync.Mutex
	srv, c := payGiftEnvBehind(t, 10, func(emu http.Handler) http.Handler {
		inner := held.front(emu)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			inner.ServeHTTP(w, r)
			if r.URL.Path == addPath {
				mu.Lock()
				requestIDs = append(requestIDs, w.Header().Get("Request-ID"))
				mu.Unlock()
			}
		})
	})
	first := startAdds(t, c, nil, [][]string{{subMchid(0)}}, -1)
	<-held.arrived
	lists := [][]string{}
	for i := 1; i < 10; i++ {
		lists = append(lists, []string{subMchid(i)})
	}
	lists[3] = append(lists[3], "1900999999") // another provider's
	lists[6] = append(lists[6], "1900777777") // unknown to WeChat Pay
	rest := startAdds(t, c, nil, lists, 0)
	close(held.release)

	if r := first.wait()[0]; r.err != nil || !slices.Equal(r.added, []string{subMchid(0)}) || len(r.refused) > 0 {
		t.Errorf("first caller: %+v", r)
	}
	want := map[string]wxpay.Reason{"1900999999": wxpay.ReasonNotSubMerchant, "1900777777": wxpay.ReasonMerchantNotExists}
	for i, r := range rest.wait() {
		if r.err != nil || !slices.Equal(r.added, lists[i][:1]) {
			t.Errorf("caller %d: added %v, err %v; want %v", i+1, r.added, r.err, lists[i][:1])
		}
		var refused []string
		for _, inv := range r.refused {
			refused = append(refused, inv.Mchid)
			if inv.Reason() != want[inv.Mchid] || inv.RequestID == "" || inv.RequestID != requestIDs[1] {
				t.Errorf("caller %d: refusal %+v, want reason %q and the Request-ID of the second answer %q",
					i+1, inv, want[inv.Mchid], requestIDs[1])
			}
		}
		if !slices.Equal(refused, lists[i][1:]) {
			t.Errorf("caller %d: refused %v, want %v", i+1, refused, lists[i][1:])
		}
	}

	adds := callsTo(srv, http.MethodPost, addPath)
	if len(adds) != 2 {
		t.Fatalf("%d add calls, want 2: the first, and one for the nine that waited", len(adds))
	}
	if got := sentIDs(t, adds[0]); !slices.Equal(got, []string{subMchid(0)}) {
		t.Errorf("first call sent %v", got)
	}
	if got, want := sentIDs(t, adds[1]), slices.Sorted(slices.Values(slices.Concat(lists...))); !slices.Equal(got, want) {
		t.Errorf("second call sent %v, want %v", got, want)
	}
	if adds[0].RequestNo == adds[1].RequestNo {
		t.Errorf("both calls carry request number %q", adds[0].RequestNo)
	}
	if members := srv.ActivityMembers(payGiftActivity); len(members) != 10 {
		t.Errorf("members %v, want the ten valid ids", members)
	}
}

// What happens to a merged call happens to every caller in it: a lost answer is retried under the
// same request number and body, and under every reading of a repeated number each caller gets
// its own ids; a refusal, and a refusal for the activity's status, reach them all.
func TestActivityMerchantsBatchOutcomeReachesEveryCaller(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(*emulator.Server)
		wantErr   func(error) bool // nil: every caller gets its ids added
		wantCalls int              // calls of the merged batch
		wantRetry int              // of which retries: the same request number and body
	}{
		{"lost answer, replayed", func(s *emulator.Server) {
			s.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultDropAfterApply, Count: 1})
		}, nil, 2, 1},
		{"lost answer, repeat refused", func(s *emulator.Server) {
			s.SetDialect(emulator.DialectRequestNoReuse, "reject")
			s.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultDropAfterApply, Count: 1})
		}, nil, 3, 1}, // and, under a new number, the id the list does not show (the refused one)
		{"lost answer, applied again", func(s *emulator.Server) {
			s.SetDialect(emulator.DialectRequestNoReuse, "new")
			s.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultDropAfterApply, Count: 1})
		}, nil, 2, 1},
		{"refused", func(s *emulator.Server) {
			s.InjectFault(emulator.Fault{Method: "POST", Path: addPath, Kind: emulator.FaultStatus, Status: 400,
				Code: "PARAM_ERROR", Message: "参数错误", Count: 1})
		}, func(err error) bool { return wxpay.HasCode(err, "PARAM_ERROR") }, 1, 0},
		{"activity stopped", func(s *emulator.Server) {
			s.SetActivityStatus(payGiftActivity, "STOP_ACT_STATUS")
		}, func(err error) bool {
			var nr *wxpay.ActivityNotRunningError
			return errors.As(err, &nr) && nr.Status == "STOP_ACT_STATUS"
		}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			held, srv, c, first := oneCallUnderWay(t, 1)
			lists := [][]string{{subMchid(1)}, {subMchid(2), "1900999999"}, {subMchid(3)}}
			rest := startAdds(t, c, nil, lists, 0)
			srv.ClearCalls()
			tt.setup(srv)
			close(held.release)
			if r := first.wait()[0]; r.err != nil {
				t.Fatalf("first caller: %v", r.err)
			}

			for i, r := range rest.wait() {
				if tt.wantErr != nil {
					if !tt.wantErr(r.err) || len(r.added) > 0 || len(r.refused) > 0 {
						t.Errorf("caller %d: %+v, want the batch's error and nothing else", i, r)
					}
					continue
				}
				var refused []string
				for _, inv := range r.refused {
					refused = append(refused, inv.Mchid)
				}
				if r.err != nil || !slices.Equal(r.added, lists[i][:1]) || !slices.Equal(refused, lists[i][1:]) {
					t.Errorf("caller %d: added %v, refused %v, err %v; want %v added, %v refused", i, r.added,
						refused, r.err, lists[i][:1], lists[i][1:])
				}
			}

			adds := callsTo(srv, http.MethodPost, addPath)
			if len(adds) != tt.wantCalls {
				t.Fatalf("%d add calls for the merged batch, want %d: %+v", len(adds), tt.wantCalls, adds)
			}
			if want := []string{subMchid(1), subMchid(2), subMchid(3), "1900999999"}; !slices.Equal(sentIDs(t, adds[0]), want) {
				t.Errorf("the merged call sent %v, want %v", sentIDs(t, adds[0]), want)
			}
			for i, call := range adds[1:] {
				retry := i < tt.wantRetry
				if same := call.RequestNo == adds[0].RequestNo && call.Body == adds[0].Body; same != retry {
					t.Errorf("call %q after %q: the same request %v, want %v", call.RequestNo, adds[0].RequestNo, same, retry)
				}
			}
			wantApplied := 1
			if tt.wantErr != nil {
				wantApplied = 0
			}
			if n := srv.CountApplied("POST", addPath); n != wantApplied {
				t.Errorf("the merged add was applied %d times, want %d", n, wantApplied)
			}
		})
	}
}

// A caller whose context ends while it waits leaves at once; the others' batch goes on without
// its ids when they were not yet sent, and with them when they were.
func TestActivityMerchantsWaiterLeaves(t *testing.T) {
	held, srv, c, first := oneCallUnderWay(t, 2)

	queued, leaveQueued := context.WithCancel(context.Background())
	inFlight, leaveInFlight := context.WithCancel(context.Background())
	ctxs := []context.Context{nil, queued, inFlight, nil}
	lists := [][]string{{subMchid(1)}, {subMchid(2)}, {subMchid(3)}, {subMchid(4)}}
	rest := startAdds(t, c, ctxs, lists, 0)

	// Leaving the queue before the call is sent: that id is never sent.
	leaveQueued()
	waitFor(t, "the cancelled caller to leave the queue", func() bool {
		return wxpay.WaitingMemberChanges(c, payGiftActivity) == 3
	})
	held.release <- struct{}{} // the first call answers; the three left go together
	<-held.arrived
	// Leaving while the call is under way: the others still get the answer.
	leaveInFlight()
	<-rest.returned[2]
	held.release <- struct{}{}
	results := rest.wait()
	if r := first.wait()[0]; r.err != nil {
		t.Fatalf("first caller: %v", r.err)
	}

	for i, r := range results {
		switch i {
		case 1, 2:
			if !errors.Is(r.err, context.Canceled) || len(r.added) > 0 {
				t.Errorf("caller %d left: %+v, want context.Canceled and nothing added", i, r)
			}
		default:
			if r.err != nil || !slices.Equal(r.added, lists[i]) {
				t.Errorf("caller %d: %+v, want %v added", i, r, lists[i])
			}
		}
	}
	adds := callsTo(srv, http.MethodPost, addPath)
	if len(adds) != 2 {
		t.Fatalf("%d add calls, want 2", len(adds))
	}
	if got, want := sentIDs(t, adds[1]), []string{subMchid(1), subMchid(3), subMchid(4)}; !slices.Equal(got, want) {
		t.Errorf("the second call sent %v, want %v: not the id of the caller that left the queue", got, want)
	}
	if got, want := srv.ActivityMembers(payGiftActivity), []string{subMchid(0), subMchid(1), subMchid(3), subMchid(4)}; !slices.Equal(slices.Sorted(slices.Values(got)), want) {
		t.Errorf("members %v, want %v", got, want)
	}
}

// Adds never travel with deletes, nor changes of one activity with another's.
func TestActivityMerchantsBatchesKeepApart(t *testing.T) {
	const other = "10028002"
	otherAdd := "/v3/marketing/paygiftactivity/activities/" + other + "/merchants/add"
	held, srv, c, first := oneCallUnderWay(t, 1)
	srv.SetActivityStatus(other, emulator.ActivityOngoing)
	srv.AddActivityMember(payGiftActivity, subMchid(5))
	srv.AddActivityMember(payGiftActivity, subMchid(6))
	adding := startAdds(t, c, nil, [][]string{{subMchid(1)}, {subMchid(2)}}, 0)
	removing := startChanges(t, c, payGiftActivity, true, nil, [][]string{{subMchid(5)}, {subMchid(6)}}, 2)
	adding2 := startAdds(t, c, nil, [][]string{{subMchid(7)}}, 4)
	elsewhere := startChanges(t, c, other, false, nil, [][]string{{subMchid(3)}, {subMchid(4)}}, -1)
	for i, r := range elsewhere.wait() { // not held back by the call under way on the first activity
		if r.err != nil || len(r.added) != 1 {
			t.Errorf("other activity, caller %d: %+v", i, r)
		}
	}
	close(held.release)
	for _, r := range slices.Concat(first.wait(), adding.wait(), removing.wait(), adding2.wait()) {
		if r.err != nil || len(r.added) != 1 {
			t.Errorf("%+v, want one id done", r)
		}
	}

	type sent struct {
		path string
		ids  string
	}
	var got []sent
	for _, call := range srv.Calls() {
		if call.Method == http.MethodPost {
			got = append(got, sent{call.Path, strings.Join(sentIDs(t, call), ",")})
		}
	}
	var otherIDs []string
	got = slices.DeleteFunc(got, func(s sent) bool {
		if s.path == otherAdd {
			otherIDs = append(otherIDs, strings.Split(s.ids, ",")...)
			return true
		}
		return false
	})
	want := []sent{{addPath, subMchid(0)}, {addPath, subMchid(1) + "," + subMchid(2) + "," + subMchid(7)},
		{deletePath, subMchid(5) + "," + subMchid(6)}}
	if !slices.Equal(got, want) {
		t.Errorf("calls of the first activity %v, want %v", got, want)
	}
	if slices.Sort(otherIDs); !slices.Equal(otherIDs, []string{subMchid(3), subMchid(4)}) {
		t.Errorf("calls of the other activity sent %v", otherIDs)
	}
}

// A call whose callers have all left ends, and the activity's next change goes on.
func TestActivityMerchantsCallEndsWhenEveryCallerLeft(t *testing.T) {
	held, srv, c, first := oneCallUnderWay(t, 2)
	a, leaveA := context.WithCancel(context.Background())
	b, leaveB := context.WithCancel(context.Background())
	batch := startAdds(t, c, []context.Context{a, b}, [][]string{{subMchid(1)}, {subMchid(2)}}, 0)
	held.release <- struct{}{}
	<-held.arrived // the two together
	if r := first.wait()[0]; r.err != nil {
		t.Fatalf("first caller: %v", r.err)
	}
	leaveA()
	<-batch.returned[0]
	leaveB()
	select {
	case <-held.gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the call went on after every caller of its batch had left")
	}
	for i, r := range batch.wait() {
		if !errors.Is(r.err, context.Canceled) {
			t.Errorf("caller %d: %v, want context.Canceled", i, r.err)
		}
	}
	later, _, err := c.NewActivityMerchantsChange(payGiftActivity).Add(context.Background(), []string{subMchid(3)})
	if err != nil || !slices.Equal(later, []string{subMchid(3)}) {
		t.Errorf("a later add: %v, %v", later, err)
	}
	var sent [][]string
	for _, call := range callsTo(srv, http.MethodPost, addPath) {
		sent = append(sent, sentIDs(t, call))
	}
	if want := [][]string{{subMchid(0)}, {subMchid(1), subMchid(2)}, {subMchid(3)}}; !slices.EqualFunc(sent, want, slices.Equal) {
		t.Errorf("add calls sent %v, want %v: the call the callers left is not retried", sent, want)
	}
}

// A caller whose time runs out while its call is under way is told so by its own context, as a
// call of its own would have told it: the provider words "ran out of time, raise `timeouts`"
// from that. The call's context ends at the same instant, and its error must not win the race.
func TestActivityMerchantsDeadlineIsTheCallers(t *testing.T) {
	stop := make(chan struct{})
	_, c := payGiftEnvBehind(t, 40, func(emu http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/merchants/add") {
				select { // WeChat Pay is slower than the caller's timeout
				case <-r.Context().Done():
				case <-stop:
				}
				return
			}
			emu.ServeHTTP(w, r)
		})
	})
	t.Cleanup(func() { close(stop) }) // before the server closes
	for i := range 40 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		_, _, err := c.NewActivityMerchantsChange(payGiftActivity).Add(ctx, []string{subMchid(i)})
		if err == nil || ctx.Err() == nil {
			t.Fatalf("add %d returned %v while its context was still live (%v)", i, err, ctx.Err())
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("add %d: %v, want the caller's deadline", i, err)
		}
		cancel()
	}
}
