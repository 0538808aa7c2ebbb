// Package emulator is a stateful stand-in for the WeChat Pay APIv3 endpoints the provider
// uses. It verifies requests and signs answers the way WeChat Pay does, so a client that
// passes against it is expected to pass against WeChat Pay, and it can be told to misbehave
// (faults, QPS limits, drift) through Go methods on *Server or the /_emulator/ HTTP API
// (routes listed on serveControl in control.go), which answers programs on this machine only.
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
//     405 METHOD_NOT_ALLOWED.
package emulator
