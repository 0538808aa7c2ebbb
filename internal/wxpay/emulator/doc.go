// Package emulator is a stateful stand-in for the WeChat Pay APIv3 endpoints the provider
// uses. It verifies requests and signs answers the way WeChat Pay does, so a client that
// passes against it is expected to pass against WeChat Pay, and it can be told to misbehave
// (faults, QPS limits, drift) through Go methods on *Server or the /_emulator/ HTTP API
// (controlRoutes in control.go), which answers programs on this machine only.
//
// # Files
//
//   - server.go: Server, and the ServeMux with every route of both APIs (routes).
//   - api.go: the steps every /v3 call goes through; exchange.go: what handlers read and return.
//   - auth.go: request headers and signatures, answer signatures.
//   - callers.go: the callers, their roles, and which family supports which role.
//   - dialects.go: the dialects (below) and the error texts they spell.
//   - faults.go, limits.go, calls.go: fault injection, QPS limits, the call log.
//   - control.go: the /_emulator/ API and who may use it.
//   - state.go: sub-merchants, Seed and State.
//   - One file per API family, with its records, handlers and out-of-band methods:
//     certificates.go, goldplan.go, paygift.go, partnerships.go, apply4subject.go.
//   - keys.go, command.go: the identities on disk and cmd/wxpay-emulator.
//
// # Adding an API
//
//  1. In the family's file (or a new one): the handler, func (s *Server) handleX(ex *exchange)
//     result. Decode with decodeBody / queryPage, refuse with paramError, invalidRequest or
//     fail, change records under s.mu (the family's with… helper), and answer okJSON or
//     noContent, .withApplied(true) when state changed. ex.caller is the signing caller's
//     mchid: check that it owns the records (s.owns). Spell times with s.wxTime. Header,
//     signature, role, QPS and fault handling, the call log and the answer's signature come
//     with the route.
//  2. server.go, routes: one line {"METHOD /v3/path/{wildcard}", family, s.handleX}, the
//     family (callers.go) naming the roles its page supports (支持商户). Other methods of the
//     path then answer 405 and unknown paths 404 by themselves.
//  3. state.go, for a new kind of record only: its world field and newWorld, its Seed and State
//     fields, their checks in validateSeed, the merge in Seed and the listing in Snapshot.
//  4. control.go, when tests must change the record behind the client's back: a ctlX method
//     and its line in controlRoutes, and the table in templates/index.md.tmpl.
//  5. This file: every behaviour the official pages leave open. Where there are two plausible
//     readings, make it a dialect (dialects.go: a name, its values with the likeliest first,
//     a line below), emulate every value and test each.
//  6. Tests in <family>_test.go; the client's own tests in internal/wxpay.
//
// # Callers
//
// The emulator serves several merchants at once, each with its own mchid, merchant API key
// and serial (Keys.AllCallers) and a role. GenerateKeys makes one per role: the default
// caller "channel-partner" (CHANNEL_PARTNER, Keys.MchID, 1900000001 by default: the one
// caller of earlier versions, whose merchant_key.pem and env.sh keep their names),
// "service-provider" (1900000002), "institution" (1900000003) and "merchant" (1900000004,
// an ordinary merchant). -dir holds merchant_key-NAME.pem and env-NAME.sh for each, and
// callers.json with every caller's mchid, serial and key path by name (the `callers` variable
// of examples/demo); the ready line lists them. A request is verified with the key of the caller its mchid names, so
// a request signed with one caller's key that claims another's mchid is refused (401).
// Seed.CallerRole changes the default caller's role; Seed.Callers changes any caller's role
// and gold plan settings (gold_plan_enabled, receipt_link_configured, penalized,
// gold_plan_default_open), which the top-level seed fields set for every caller.
//
// Records belong to callers: a sub-merchant to its service provider or channel partner
// (Owner), an activity to its owner (OwnerMchid), a partnership to the merchant that built it
// (OwnerMchid); "" means the default caller, and a seed may name a caller instead of an mchid.
// Another caller gets the refusal WeChat Pay gives for someone else's record, whatever its
// role.
//
// Under roles=strict each family accepts the roles its page lists under 支持商户 and refuses
// the others: the gold plan 【普通服务商】【渠道商】 (400 INVALID_REQUEST "调用方不是服务商", the
// emulator's text); partnerships 【普通商户】 (403 NO_AUTH "商户未被授权", the page's);
// apply4subject 【渠道商】【从业机构】 (400 PARAM_ERROR "只能由从业机构或渠道商调用该接口");
// pay-gift merchants 【普通服务商】 and channel partners too (403 NO_AUTH "商户未被授权"): the
// delete page's 支持商户 lists 普通服务商 only, but the same page says "可调用商户:商户/服务商/
// 渠道商", and a channel partner is a service provider with more rights (the gold plan page
// lists both together), so refusing one would refuse a caller the page names; an ordinary
// merchant stays refused, as the members it adds must be its sub-merchants, which it has
// none of. Certificates serve every caller. roles=any lets every caller use every family.
//
// # Dialects
//
// Where the official pages (/work/shared/seeds/, quoted below) leave WeChat Pay's behaviour
// open, the emulator behaves each plausible way, chosen per dialect: by Options.Dialects, the
// -dialect name=value flag (repeatable), "dialects": {"name": "value"} in a seed, or POST
// /_emulator/dialects; GET /_emulator/dialects lists them with their values, defaults and
// start-up values, and the state and the call log show those in force. The first value is
// the default, the reading the project thinks most likely (and what the emulator did before
// dialects existed). Reset keeps the start-up dialects (Options.Dialects: the flags and the
// -seed file's, a flag winning), because they describe which WeChat Pay a run emulates, not
// its state; dialects set later last until Reset. Unknown names and values are refused with
// the valid ones. Clients must be right under every value.
//
//   - paygift-unknown-activity = 404 | 400-documented. An activity WeChat Pay does not know, or
//     no longer knows (RemoveActivity, DELETE /_emulator/activities/{id}), on add, delete,
//     list and detail: 404 RESOURCE_NOT_EXISTS "资源不存在或无可用", or 400 INVALID_REQUEST
//     "查询活动详情结果为空,请确认活动ID是否正确". The delete page lists both rows ("404 |
//     RESOURCE_NOT_EXISTS | 资源不存在或无可用", "400 | INVALID_REQUEST | 查询活动详情结果为空,
//     请确认活动ID是否正确") without saying which answers an unknown id; the second's text
//     describes exactly that case.
//   - request-no-reuse = replay | reject | new. A pay-gift add_request_no / delete_request_no
//     that already succeeded on the activity: its first answer byte for byte, before the
//     status rule; 400 INVALID_REQUEST "请求业务单据号已使用,请勿重复提交" (our text); or a
//     new request, applied again. The pages say only "商户侧需保持唯一性".
//   - paygift-offset = item | page0 | page1. The pay-gift merchant list's offset counts
//     members, pages from 0, or pages from 1 (offset 0 is then refused with PARAM_ERROR),
//     pages being of the limit answered. The answer echoes the offset asked, with
//     total_count. The list page (not in seeds/; see wxpay-api-notes.md) calls offset "分页页
//     码" with the example offset=1&limit=20.
//   - paygift-limit = honour | cap20 | cap50. The page holds what limit asks (1..100) or at
//     most 20 or 50 members, the answer echoing the limit it used. The list page publishes
//     no maximum limit.
//   - partnership-list-empty = 404 | 400-invalid-request | empty-200. The list with nothing
//     of the caller's matching: 404 RESOURCE_NOT_EXISTS "资源不存在或无可用", 400
//     INVALID_REQUEST "请求参数符合参数格式,但不符合业务规则" (the build page's text for the
//     code), or 200 with an empty data. The list page says only that an empty result is an
//     error, without its code.
//   - partnership-terminate-again = 400-invented | 400-invalid-request | 200. Terminating a
//     terminated partnership: 400 INVALID_REQUEST "合作关系不存在或已终止" (our text), 400
//     INVALID_REQUEST "请求参数符合参数格式,但不符合业务规则", or 200 with its terminate_time
//     (idempotent; one never built is then 404 RESOURCE_NOT_EXISTS). The terminate page is
//     silent.
//   - goldplan-gating = gated | independent. The receipt page, ads and filters with the gold
//     plan closed in every scene: refused with "特约商户未开通点金计划" (closing a page or
//     ads already off always succeeds), or changed regardless. The development guide's "若特
//     约商户的“点金计划”未开通，即使 “商家小票”功能开通，其JSAPI 支付后也不会展示点金计划页面
//     和商家小票内容" implies the receipt page switch can be on with the gold plan off, which
//     is independent's reading; gated stays the default as the emulator's earlier behaviour.
//   - goldplan-default-open-close = 400-invalid-request | 403-no-auth. With a caller's
//     默认开通点金计划 switch on (gold_plan_default_open), every sub-merchant of it that takes
//     JSAPI payments (SubMerchant.JSAPIPayments, default true) has the JSAPI gold plan open,
//     also one seeded later; a CLOSE of a scene set holding JSAPI is refused with 400
//     INVALID_REQUEST "服务商已开启默认开通点金计划,特约商户不可单个关闭" or 403 NO_AUTH
//     "服务商已开启默认开通点金计划,无权单个关闭特约商户的点金计划" (both our texts); a
//     MINIPROGRAM-only CLOSE succeeds, and turning the switch off closes nothing. The guide:
//     "服务商也可通过“默认开通”按钮为全量特约商户开通点金计划 … 打开该开关后,有jsapi支付的
//     特约商户均会自动开通点金计划,不可单个关闭。" It says nothing of the API's answer.
//   - goldplan-reopen = per-scene | per-merchant | no-detail. After a CLOSE, an OPEN within
//     24 hours (business clock) is refused with 400 INVALID_REQUEST "关闭点金计划后24小时内
//     不可重新开通" (our text): for the closed scene, with detail.retry_after; for every scene
//     of the merchant, with detail.retry_after; or for the closed scene without detail. The
//     guide: "(注:主动关闭点金计划后,需间隔24 小时方可再次开通)"; granularity, text and
//     detail are ours.
//   - goldplan-repeat = noop-success | refused-already. OPEN of what is open and CLOSE of what
//     is closed, for the gold plan, the receipt page and the ads: a success that changes
//     nothing, or 400 INVALID_REQUEST "特约商户已开通点金计划" / "特约商户已关闭点金计划" /
//     "商家小票已开通" / "商家小票已关闭" / "广告展示已开通" / "广告展示已关闭" (our texts). An
//     OPEN that opens at least one more scene is never a repeat. The pages are silent.
//   - apply4subject-unknown-sub = 400-invalid-request | 400-param-error | 403-no-auth. The
//     authorization state of a sub_mchid WeChat Pay does not know, with the codes the page
//     lists, in its words: 400 INVALID_REQUEST "无效请求", 400 PARAM_ERROR "参数错误", 403
//     NO_AUTH "商户权限异常". The page's 业务错误码 is "400 | INVALID_REQUEST | 无效请求 | 请查看
//     返回的错误信息"; PARAM_ERROR is only in its 公共错误码 (a malformed parameter, and a
//     9-digit sub_mchid is well formed) and NO_AUTH is "商户权限异常" (the caller's rights), so
//     an unknown merchant, a business fact, is most likely the INVALID_REQUEST. The emulator's
//     earlier 400 MCH_NOT_EXISTS is not on that page.
//   - roles = strict | any. See Callers.
//   - error-texts = docs | wild. The pages' own wording, or the other spelling: "服务商被处罚中"
//     / "服务商处于处罚中", "特约商户被处罚中" / "特约商户处于处罚中", "特约商户号不存在" /
//     "商户号不存在" (gold plan page, 400 MCH_NOT_EXISTS), "活动不在运行中,不允许再进行修改" /
//     "活动当前状态不允许修改: STATUS" (delete page, 403 RULE_LIMIT), "资源不存在或无可用" /
//     "活动不存在" and / "合作关系不存在" (404 RESOURCE_NOT_EXISTS), "操作失败" / "操作失败，
//     请稍后重试" (the gold plan page's row "400 | INVALID_REQUEST | 操作失败 | 操作失败，请稍后
//     重试"). The penalty spellings are the two seen from WeChat Pay; the other wild texts are
//     the emulator's earlier ones, kept so that clients are tested against more than one
//     spelling.
//   - time-format = seconds | millis. Every time the emulator sends (answers, retry_after):
//     2015-05-20T13:29:35+08:00, or with milliseconds as the pages' examples and field text
//     have them: "遵循rfc3339标准格式,格式为yyyy-MM-DDTHH:mm:ss.sss+TIMEZONE … 例如:
//     2015-05-20T13:29:35.120+08:00".
//
// Not dialects, because the pages allow one reading:
//
//   - The gold plan page's "400 | INVALID_REQUEST | 操作失败 | 操作失败，请稍后重试" (retry later)
//     is the fault kind operation_failed, to be injected (once, with count 1) so that a
//     client's retry of it can be tested.
//   - A partnership build with an APPID partner carrying merchant_id: the build page's
//     request example sends both and its answer example echoes merchant_id, so the emulator
//     keeps it (8 to 15 characters), answers and lists it; it is no part of the
//     partnership's identity.
//   - The activity details answer every field the official SDK's
//     giftactivity.GetActDetailResponse (wechatpay-go v0.2.21) requires, at every level:
//     award_send_rule, activity_second_title, merchant_logo_url and the rest; seeded values
//     are answered and unseeded ones get plausible defaults (a 1 yuan threshold, one merchant
//     coupon, 90 days from creation). Stopping an ongoing activity (STOP_ACT_STATUS) records
//     pause_time and resuming it recovery_time.
//
// # Guesses about WeChat Pay
//
// Where WeChat Pay's behaviour is not documented the emulator picks one and says so here;
// clients must not depend on these choices:
//
//   - A new Server starts with its callers' roles, the gold plan enabled and a receipt link
//     configured for every caller, and nothing seeded; sub-merchants, activities and
//     partnerships exist only once seeded (Seed, -seed FILE, POST /_emulator/seed).
//   - GET /v3/certificates is signed by the platform certificate unless the request's
//     Wechatpay-Serial names the public key id; other answers follow Wechatpay-Serial, then
//     Options.DefaultMode. Every caller shares the platform's keys.
//   - Gold plan: operation_pay_scene defaults to JSAPI; closing the gold plan leaves the
//     receipt page, ads and filters as they were. See the goldplan-* dialects.
//   - Pay-gift merchant list: offset >= 0 (default 0), limit 1..100 (default 10), members in
//     the order they were added. Deleting a non-member is a no-op. Request numbers are kept
//     per activity, add and delete apart. See the paygift-* and request-no-reuse dialects.
//   - Partnerships: the list holds the caller's established and terminated ones alike,
//     without a state field (terminated ones carry terminate_time); Idempotency-Key replays
//     the caller's first 2xx answer of that path; a key is 1..48 of A-Za-z0-9|_*- on build
//     and terminate alike. A partnership another merchant built is 403 NO_AUTH to build or
//     terminate, and absent from the list.
//   - Errors for unknown paths are 404 NOT_FOUND, for a known path with another method
//     (HEAD included) 405 METHOD_NOT_ALLOWED, both after the signature check. A path with an
//     empty, "." or ".." segment or an encoded "/" is an unknown path: never redirected,
//     never cleaned into another route.
package emulator
