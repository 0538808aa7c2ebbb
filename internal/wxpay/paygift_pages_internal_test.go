package wxpay

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// memberPage is the fake's answer of a merchant list page holding members from..to-1.
func memberPage(t *testing.T, from, to, total, offset, limit int) reply {
	t.Helper()
	data := []ActivityMerchant{}
	for i := from; i < to; i++ {
		data = append(data, ActivityMerchant{Mchid: fmt.Sprintf("19001%05d", i)})
	}
	b, err := json.Marshal(ActivityMerchantsPage{Data: data, TotalCount: total, Offset: offset, Limit: limit, ActivityID: "10028001"})
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: 200, body: string(b)}
}

// A page that fits no way of paging the list makes the reading an error, never a short list.
func TestMemberPagesThatFitNoPagingAreAnError(t *testing.T) {
	e := newEnv(t, nil)
	// 250 members; the second page answers 99 where members skipped would give 100 and page
	// number 100 would give none.
	e.fake.setScript(memberPage(t, 0, 100, 250, 0, 100), memberPage(t, 100, 199, 250, 100, 100))
	_, err := e.client.ListAllActivityMerchants(context.Background(), "10028001")
	if err == nil || !strings.Contains(err.Error(), "fits no way of paging") {
		t.Fatalf("err = %v, want one saying the pages fit no paging", err)
	}
}

// A server that echoes a limit larger than the pages it answers (a silent cap) is read in pages
// of what it answers.
func TestMemberPagesOfAnUnannouncedCap(t *testing.T) {
	e := newEnv(t, nil)
	e.fake.setScript(memberPage(t, 0, 30, 70, 0, 100), memberPage(t, 30, 60, 70, 30, 30), memberPage(t, 60, 70, 70, 60, 30))
	got, err := e.client.ListAllActivityMerchants(context.Background(), "10028001")
	if err != nil || len(got) != 70 {
		t.Fatalf("listed %d merchants, err %v; want 70", len(got), err)
	}
	calls := e.fake.businessCalls()
	if len(calls) != 3 || !strings.Contains(calls[1].uri, "offset=30") || !strings.Contains(calls[1].uri, "limit=30") {
		t.Errorf("calls %v, want the second page asked at offset=30&limit=30", calls)
	}
}
