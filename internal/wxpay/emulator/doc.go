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
//   - faults.go, limits.go, calls.go: fault injection, QPS limits, the call log.
//   - control.go: the /_emulator/ API and who may use it.
//   - state.go: the caller, its sub-merchants, Seed and State.
//   - One file per API family, with its records, handlers and out-of-band methods:
//     certificates.go, goldplan.go, paygift.go, partnerships.go, apply4subject.go.
//   - keys.go, command.go: the identity on disk and cmd/wxpay-emulator.
//
// # Adding an API
//
//  1. In the family's file (or a new one): the handler, func (s *Server) handleX(ex *exchange)
//     result. Decode with decodeBody / queryPage, refuse with paramError, invalidRequest or
//     fail, change records under s.mu (the family's with… helper), and answer okJSON or
//     noContent, .withApplied(true) when state changed. Header, signature, QPS and fault
//     handling, the call log and the answer's signature come with the route.
//  2. server.go, routes: one line {"METHOD /v3/path/{wildcard}", s.handleX}. Other methods
//     of the path then answer 405 and unknown paths 404 by themselves.
//  3. state.go, for a new kind of record only: its world field and newWorld, its Seed and State
//     fields, their checks in validateSeed, the merge in Seed and the listing in Snapshot.
//  4. control.go, when tests must change the record behind the client's back: a ctlX method
//     and its line in controlRoutes, and the table in templates/index.md.tmpl.
//  5. This file: every behaviour the official pages leave open and the emulator picks.
//  6. Tests in <family>_test.go; the client's own tests in internal/wxpay.
//
// # Guesses about WeChat Pay
//
// Where WeChat Pay's behaviour is not documented the emulator picks one and says so here;
// clients must not depend on these choices:
//
//   - A new Server starts as a CHANNEL_PARTNER caller with the gold plan enabled, a receipt
//     link configured and nothing seeded; sub-merchants, activities and partnerships exist
//     only once seeded (Seed, -seed FILE, POST /_emulator/seed).
//   - GET /v3/certificates is signed by the platform certificate unless the request's
//     Wechatpay-Serial names the public key id; other answers follow Wechatpay-Serial, then
//     Options.DefaultMode.
//   - Gold plan: operation_pay_scene defaults to JSAPI; OPEN of an open scene and CLOSE of a
//     closed one succeed without change; reopening a scene within 24 h of its CLOSE (business
//     clock) is refused with detail.retry_after. Receipt page, ads and filters need the gold
//     plan open in some scene, except that closing a page or ads already off always succeeds.
//     Closing the gold plan leaves the receipt page, ads and filters as they were.
//   - Pay-gift merchant list: offset >= 0 (default 0), limit 1..100 (default 10), members in
//     the order they were added. Deleting a non-member is a no-op. A request number replays
//     the first 2xx answer byte for byte, before the activity status is checked.
//   - Partnerships: the list holds established and terminated ones alike, without a state
//     field (terminated ones carry terminate_time); Idempotency-Key replays the first 2xx
//     answer of that path; a key is 1..48 of A-Za-z0-9|_*- on build and terminate alike.
//   - Errors for unknown paths are 404 NOT_FOUND, for a known path with another method
//     (HEAD included) 405 METHOD_NOT_ALLOWED, both after the signature check. A path with an
//     empty, "." or ".." segment or an encoded "/" is an unknown path: never redirected,
//     never cleaned into another route.
package emulator
