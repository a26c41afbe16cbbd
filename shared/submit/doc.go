package submit

import (
	"net/http"
	"slices"
	"strings"

	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// DocDescription ends the description of every generation route.
const DocDescription = "\n\nAnswers under the sync/async contract (see the introduction): 200 with the finished job, 202 with `Location` while it runs, or the failed job's problem."

// DocParams are the parameters of every generation route.
func DocParams() []apidoc.Param {
	return []apidoc.Param{{Ref: "SubmitWait"}, {Ref: "Prefer"}, {Ref: "IdempotencyKey"}, {Ref: "CacheControl"}, {Ref: "CorrelationID"}}
}

// Headers of the answers of generation routes.
var (
	hdrXCache = apidoc.Header{Name: "X-Cache", Description: "HIT when the result came from the cache, MISS otherwise.", Required: true,
		Schema: &apidoc.Schema{Type: "string", Enum: []any{"HIT", "MISS"}}}
	hdrDedup = apidoc.Header{Name: "X-Deduplicated", Description: "true when an identical live request (or one with the same Idempotency-Key) already had a job; that job is answered.",
		Schema: &apidoc.Schema{Type: "string", Enum: []any{"true"}}}
	hdrPolicy = apidoc.Header{Name: "RateLimit-Policy", Description: `The caller's rate limit of the group, e.g. "text";q=100;w=60 (100 requests a 60 s window). Sent when a limit is configured.`, Schema: apidoc.Str()}
	hdrLimit  = apidoc.Header{Name: "RateLimit", Description: `What is left of it, e.g. "text";r=99;t=42 (99 requests, window resets in 42 s).`, Schema: apidoc.Str()}
	hdrLoc    = apidoc.Header{Name: "Location", Description: "Where to poll the job: /api/v2/queue/{id}.", Required: true, Schema: apidoc.Str()}
	hdrPref   = apidoc.Header{Name: "Preference-Applied", Description: "The preferences of `Prefer` the answer honoured (RFC 7240 §3): " +
		"respond-async on a 202 it asked for, or wait=N when the wait preference set the wait (N: the seconds waited at most). " +
		"Absent when none was, and on cache hits.", Schema: &apidoc.Schema{Type: "string", Examples: []any{"respond-async", "wait=10"}}}
)

// RetryAfterHeader documents Retry-After: seconds to wait before what.
func RetryAfterHeader(required bool, what string) apidoc.Header {
	return apidoc.Header{Name: "Retry-After", Description: "Seconds to wait before " + what + ".", Required: required, Schema: apidoc.Int(1)}
}

// RateLimitHeaders are the headers of an admitted or refused request.
func RateLimitHeaders() []apidoc.Header { return []apidoc.Header{hdrPolicy, hdrLimit} }

// DocResponses are the answers of a generation route whose job is the
// component job and whose generic failure code is failure.
func DocResponses(job, failure string) map[int]apidoc.Response {
	limit := RateLimitHeaders()
	with := func(hs ...apidoc.Header) []apidoc.Header { return append(hs, limit...) }
	return map[int]apidoc.Response{
		200: {Description: "The job finished within the wait: status succeeded, with its result.",
			Headers: with(hdrXCache, hdrDedup, hdrPref), Content: []apidoc.Content{apidoc.JSON(job)}},
		202: {Description: "The job is queued or running: poll Location until its status is final.",
			Headers: with(hdrLoc, RetryAfterHeader(true, "polling"), hdrXCache, hdrDedup, hdrPref), Content: []apidoc.Content{apidoc.JSON(job)}},
		400: apidoc.Ref("BadRequest"),
		401: apidoc.Ref("Unauthorized"),
		403: {Description: "Priority urgent needs the admin scope: FORBIDDEN.", Headers: with(), Content: []apidoc.Content{apidoc.Problem("Problem")}},
		409: {Description: "The job was canceled (DELETE /api/v2/queue/{id}) before it finished: JOB_CANCELED, with the job.",
			Headers: with(hdrXCache), Content: []apidoc.Content{apidoc.Problem("JobProblem")}},
		413: apidoc.Ref("PayloadTooLarge"),
		415: apidoc.Ref("UnsupportedMediaType"),
		429: {Description: "RATE_LIMITED: over the per-minute limit (Retry-After says when to retry). " +
			"QUOTA_EXCEEDED: the caller's daily quota is spent (Retry-After: until midnight UTC), or the provider account's quota (with the failed job).",
			Headers: with(RetryAfterHeader(false, "retrying")), Content: []apidoc.Content{apidoc.Problem("Problem")}},
		502: {Description: "The job failed at the provider: " + strings.Join(codesWith(http.StatusBadGateway), ", ") +
			". The problem carries the job; " + failure + " is the generic failure.",
			Headers: with(hdrXCache), Content: []apidoc.Content{apidoc.Problem("JobProblem")}},
		// The rate-limit headers a QUEUE_FULL answer also carries are left
		// out: a 503 whose header names equal the 429's, where Retry-After
		// is optional, shares the 429's type in ogen's clients, which then
		// do not compile.
		503: {Description: "QUEUE_FULL: the queue is at QUEUE_MAX_DEPTH. SERVICE_UNAVAILABLE: the job store (Redis) is unavailable.",
			Headers: []apidoc.Header{RetryAfterHeader(true, "retrying")}, Content: []apidoc.Content{apidoc.Problem("Problem")}},
		504: {Description: "The job timed out: " + strings.Join(codesWith(http.StatusGatewayTimeout), ", ") +
			" (PROVIDER_TIMEOUT: the provider did not answer in time; QUEUE_TIMEOUT: the job waited longer than JOB_QUEUE_TIMEOUT). The problem carries the job.",
			Headers: with(hdrXCache), Content: []apidoc.Content{apidoc.Problem("JobProblem")}},
	}
}

// codesWith lists the problem codes that map to status, sorted.
func codesWith(status int) []string {
	var out []string
	for c, s := range httpapi.Codes() {
		if s == status {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}
