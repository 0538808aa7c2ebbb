package emulator

import "testing"

// The activity details spell the creator and owner as WeChat Pay's SDK does
// (creator_merchant_id, belong_merchant_id); clients decode exactly these names.
func TestPayGiftActivityDetailFieldNames(t *testing.T) {
	e := newEnv(t)
	if err := e.srv.Seed(Seed{Activities: []Activity{{ActivityID: "10028001", OwnerMchid: "1900000001"}}}); err != nil {
		t.Fatal(err)
	}
	got := e.ok("GET", "/v3/marketing/paygiftactivity/activities/10028001", "").json(t)
	for _, field := range []string{"creator_merchant_id", "belong_merchant_id"} {
		if got[field] != "1900000001" {
			t.Errorf("%s = %v, want 1900000001 (answer %v)", field, got[field], got)
		}
	}
	for _, wrong := range []string{"creator_merchant", "belong_merchant"} {
		if _, ok := got[wrong]; ok {
			t.Errorf("answer carries %s, which WeChat Pay does not send", wrong)
		}
	}
}
