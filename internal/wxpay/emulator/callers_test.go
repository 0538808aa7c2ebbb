package emulator_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/wechatpay-apiv3/wechatpay-go/utils"

	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulator"
	"github.com/wxpay-tf/terraform-provider-wechatpay/internal/wxpay/emulatortest"
)

func TestGenerateKeysMakesOneCallerPerRole(t *testing.T) {
	k := emulatortest.Keys(t)
	all := k.AllCallers()
	var roleList, mchids []string
	for _, c := range all {
		roleList = append(roleList, c.Role)
		mchids = append(mchids, c.MchID)
		if c.Key == nil || len(c.Serial) != 40 || c.Name == "" {
			t.Errorf("caller %+v", c)
		}
	}
	slices.Sort(roleList)
	wantRoles := slices.Clone(emulator.Roles)
	slices.Sort(wantRoles)
	if !slices.Equal(roleList, wantRoles) || all[0].MchID != k.MchID || all[0].Role != emulator.RoleChannelPartner || !all[0].Key.Equal(k.MerchantKey) {
		t.Errorf("callers %v, default %+v", roleList, all[0])
	}
	if slices.Sort(mchids); len(slices.Compact(mchids)) != len(all) {
		t.Errorf("mchids not distinct: %v", mchids)
	}
	if c, ok := k.Caller(emulator.CallerMerchant); !ok || c.Role != emulator.RoleMerchant || c.MchID != "1900000004" {
		t.Errorf("merchant caller %+v", c)
	}
}

func TestCallerKeysOnDisk(t *testing.T) {
	k := emulatortest.Keys(t)
	dir := t.TempDir()
	files, err := k.WriteFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range k.AllCallers() {
		path := files.CallerKeys[c.Name]
		key, err := utils.LoadPrivateKeyWithPath(path)
		if err != nil || !key.Equal(c.Key) {
			t.Errorf("%s: %s does not hold its key (%v)", c.Name, path, err)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v (%v)", path, fi.Mode(), err)
		}
	}
	loaded, err := emulator.LoadOrCreateKeys(dir, k.MchID)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range loaded.AllCallers() {
		want := k.AllCallers()[i]
		if c.Name != want.Name || c.MchID != want.MchID || c.Role != want.Role || c.Serial != want.Serial || !c.Key.Equal(want.Key) {
			t.Errorf("reloaded caller %d: %+v, want %+v", i, c, want)
		}
	}
	// Renaming the default caller to another caller's id is refused, not a silent merge.
	if _, err := emulator.LoadOrCreateKeys(dir, "1900000004"); err == nil || !strings.Contains(err.Error(), emulator.CallerMerchant) {
		t.Errorf("rename onto the merchant caller: %v", err)
	}

	// A directory written before there were several callers gets them, the default one kept.
	meta := filepath.Join(dir, emulator.KeysMetaFile)
	raw, err := os.ReadFile(meta)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "callers")
	old, _ := json.Marshal(m)
	if err := os.WriteFile(meta, old, 0o600); err != nil {
		t.Fatal(err)
	}
	upgraded, err := emulator.LoadOrCreateKeys(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(upgraded.AllCallers()) != 4 || upgraded.MerchantSerial != k.MerchantSerial || !upgraded.MerchantKey.Equal(k.MerchantKey) {
		t.Errorf("upgraded callers %d, default serial %s", len(upgraded.AllCallers()), upgraded.MerchantSerial)
	}
	if raw, _ := os.ReadFile(meta); !strings.Contains(string(raw), emulator.CallerServiceProvider) {
		t.Error("the upgrade was not written")
	}
}

// Every caller signs with its own key; a signature must match the caller its mchid names.
func TestCallersVerifiedPerCaller(t *testing.T) {
	e := newEnv(t)
	merchant, _ := e.keys.Caller(emulator.CallerMerchant)
	provider, _ := e.keys.Caller(emulator.CallerServiceProvider)
	for _, c := range e.keys.AllCallers() {
		e.as(c.Name).ok("GET", "/v3/certificates", "")
		calls := e.srv.Calls()
		if last := calls[len(calls)-1]; last.Mchid != c.MchID {
			t.Errorf("%s logged as %q", c.Name, last.Mchid)
		}
	}
	cases := []struct {
		name  string
		opts  []opt
		issue string
	}{
		{"merchant's key claiming the provider's mchid and serial", []opt{withMchID(provider.MchID), withSerial(provider.Serial), withKey(merchant.Key)}, "signature does not match"},
		{"merchant's key and serial claiming the provider's mchid", []opt{withMchID(provider.MchID), withSerial(merchant.Serial), withKey(merchant.Key)}, "serial_no"},
		{"provider's serial under the merchant's mchid", []opt{withMchID(merchant.MchID), withSerial(provider.Serial), withKey(provider.Key)}, "serial_no"},
		{"an mchid that is no caller", []opt{withMchID("1900000999")}, "not a registered merchant"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			a := e.fails(401, "SIGN_ERROR", "GET", "/v3/certificates", "", tc.opts...)
			if !strings.Contains(string(a.body), tc.issue) {
				t.Errorf("answer %s does not say %q", a.body, tc.issue)
			}
		})
	}
}

// roleRequest is one call per family that a supported caller gets past the role check with.
var roleRequests = []struct {
	family         string
	method, uri    string
	body           string
	supported      []string
	refusalStatus  int
	refusalCode    string
	refusalMessage string
}{
	{"gold plan", "POST", goldPlanURI, openGoldPlan, []string{emulator.RoleServiceProvider, emulator.RoleChannelPartner}, 400, "INVALID_REQUEST", "调用方不是服务商"},
	{"pay-gift", "GET", actURI, "", []string{emulator.RoleServiceProvider, emulator.RoleChannelPartner}, 403, "NO_AUTH", "商户未被授权"},
	{"partnerships", "GET", "/v3/marketing/partnerships", "", []string{emulator.RoleMerchant}, 403, "NO_AUTH", "商户未被授权"},
	{"apply4subject", "GET", stateURI, "", []string{emulator.RoleChannelPartner, emulator.RoleInstitution}, 400, "PARAM_ERROR", "只能由从业机构或渠道商调用该接口"},
	{"certificates", "GET", "/v3/certificates", "", emulator.Roles, 0, "", ""},
}

func TestRolesDialect(t *testing.T) {
	for _, mode := range []string{"strict", "any"} {
		for _, rr := range roleRequests {
			for _, c := range emulatortest.Keys(t).AllCallers() {
				t.Run(mode+"/"+rr.family+"/"+c.Name, func(t *testing.T) {
					e := newEnv(t, withDialects(map[string]string{emulator.DialectRoles: mode}))
					seedActivities(t, e)
					a := e.as(c.Name).do(rr.method, rr.uri, rr.body)
					refused := a.status == rr.refusalStatus && a.code(t) == rr.refusalCode && a.message(t) == rr.refusalMessage
					want := mode == "strict" && !slices.Contains(rr.supported, c.Role)
					if refused != want {
						t.Errorf("%s as %s: %d %s; want refused by role: %v", rr.family, c.Role, a.status, a.body, want)
					}
					if refused && e.srv.CountApplied("", "") != 0 {
						t.Error("a refused call changed state")
					}
				})
			}
		}
	}
}

// Records belong to callers: another caller, even one of the right role, cannot use them.
func TestRecordsBelongToCallers(t *testing.T) {
	e := newEnv(t, withDialects(map[string]string{emulator.DialectRoles: "any"}))
	provider, _ := e.keys.Caller(emulator.CallerServiceProvider)
	err := e.srv.Seed(emulator.Seed{
		SubMerchants: []emulator.SubMerchant{{SubMchid: testSub}, {SubMchid: "1900000110", Owner: emulator.CallerServiceProvider}},
		Activities:   []emulator.Activity{{ActivityID: actID, OwnerMchid: emulator.CallerServiceProvider}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st := e.srv.Snapshot(); st.SubMerchants[1].Owner != provider.MchID || st.Activities[0].OwnerMchid != provider.MchID {
		t.Fatalf("seeded owners by caller name: %+v %+v", st.SubMerchants[1], st.Activities[0])
	}
	sp, cp, m := e.as(emulator.CallerServiceProvider), e.as(emulator.CallerChannelPartner), e.as(emulator.CallerMerchant)
	// Sub-merchants: the default caller owns testSub, the service provider 1900000110.
	cp.ok("POST", goldPlanURI, openGoldPlan)
	sp.fails(400, "INVALID_REQUEST", "POST", goldPlanURI, openGoldPlan)
	sp.ok("POST", goldPlanURI, `{"sub_mchid":"1900000110","operation_type":"OPEN"}`)
	// Activities: the service provider's; members must be its own sub-merchants.
	cp.fails(403, "NO_AUTH", "GET", actURI, "")
	added := sp.ok("POST", addURI, addBody("a-1", "1900000110", testSub)).json(t)
	if inv, _ := added["invalid_merchant_id_list"].([]any); len(inv) != 1 || !strings.Contains(string(mustJSON(t, inv)), testSub) {
		t.Errorf("add as the service provider: %v", added)
	}
	if d := sp.ok("GET", actURI, "").json(t); d["belong_merchant_id"] != provider.MchID {
		t.Errorf("detail %v", d)
	}
	// Partnerships: the merchant that built one owns it.
	m.ok("POST", buildURI, appPartner, idem("b-1"))
	cp.fails(404, "RESOURCE_NOT_EXISTS", "GET", "/v3/marketing/partnerships", "")
	cp.fails(403, "NO_AUTH", "POST", terminateURI, appPartner, idem("b-2"))
	cp.fails(403, "NO_AUTH", "POST", buildURI, appPartner, idem("b-3"))
	if p, ok := e.srv.Partnership(emulator.Partner{Type: "APPID", AppID: "wx4e1916a585d1f4e9"}, emulator.AuthorizedData{BusinessType: "BUSIFAVOR_STOCK", StockID: "2433405"}); !ok ||
		p.State != emulator.PartnershipEstablished || p.OwnerMchid != m.caller.MchID {
		t.Errorf("partnership %+v", p)
	}
	// Idempotency keys are the caller's own: the same key from another caller is a new request.
	if a := cp.do("POST", terminateURI, appPartner, idem("b-1")); a.status != 403 {
		t.Errorf("another caller's Idempotency-Key replayed: %d %s", a.status, a.body)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCallerSeeds(t *testing.T) {
	e := newEnv(t)
	provider, _ := e.keys.Caller(emulator.CallerServiceProvider)
	err := e.srv.Seed(emulator.Seed{GoldPlanEnabled: ptr(false), Callers: []emulator.CallerSeed{
		{Name: emulator.CallerServiceProvider, GoldPlanEnabled: ptr(true), GoldPlanDefaultOpen: ptr(true)},
		{MchID: "1900000003", Penalized: ptr(true), Role: emulator.RoleChannelPartner},
	}})
	if err != nil {
		t.Fatal(err)
	}
	st := e.srv.Snapshot()
	byName := map[string]emulator.CallerState{}
	for _, c := range st.Callers {
		byName[c.Name] = c
	}
	if c := byName[emulator.CallerServiceProvider]; !c.GoldPlanEnabled || !c.GoldPlanDefaultOpen || c.MchID != provider.MchID {
		t.Errorf("service provider %+v", c)
	}
	if c := byName[emulator.CallerInstitution]; c.GoldPlanEnabled || !c.Penalized || c.Role != emulator.RoleChannelPartner {
		t.Errorf("institution %+v", c)
	}
	if c := byName[emulator.CallerChannelPartner]; c.GoldPlanEnabled || st.GoldPlanEnabled || st.Callers[0].Name != emulator.CallerChannelPartner {
		t.Errorf("default caller %+v", c)
	}
	for _, bad := range []emulator.CallerSeed{{Name: "bank"}, {MchID: "1900000999"}, {}, {Name: emulator.CallerMerchant, MchID: provider.MchID}, {Name: emulator.CallerMerchant, Role: "BANK"}} {
		err := e.srv.Seed(emulator.Seed{Callers: []emulator.CallerSeed{bad}, CallerRole: emulator.RoleInstitution})
		if err == nil || (bad.Role == "" && !strings.Contains(err.Error(), emulator.CallerMerchant)) {
			t.Errorf("seed %+v: %v", bad, err)
		}
	}
	if e.srv.Snapshot().CallerRole != emulator.RoleChannelPartner {
		t.Error("a refused seed changed the caller role")
	}
}
