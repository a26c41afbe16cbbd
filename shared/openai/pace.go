package openai

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	goopenai "github.com/sashabaranov/go-openai"

	"github.com/dndcc/dnd-llm-service/shared/provider"
)

// paceReserveShare is the share of each reported limit the pacer leaves
// unspent, for calls it cannot see (other replicas, calls not yet counted).
const paceReserveShare = 50 // 1/50 = 2 %

// pacer spends each model's rate-limit budget as the server last reported
// it in x-ratelimit-* headers, so calls wait for a window's reset instead of
// being refused with 429. It is safe for concurrent use; waiting happens
// outside it.
type pacer struct {
	mu     sync.Mutex
	models map[string]*budget
}

// budget is one model's request and token windows.
type budget struct{ requests, tokens window }

// window is one rate limit (requests or tokens) of one model. A zero limit
// means the server never reported it: nothing is paced.
type window struct {
	limit     int64
	remaining int64         // last reported, less what was admitted since
	inflight  int64         // admitted, answer not back: the server may not have counted it
	promised  int64         // admitted to start at or after resetAt
	resetAt   time.Time     // when the server's budget is whole again
	spacing   time.Duration // one unit's share of the reset time, to spread waiters
	next      time.Time     // the start after the last one promised
}

// ticket is an admitted call's claim on its model's budget.
type ticket struct {
	model  string
	tokens int64
}

func newPacer() *pacer { return &pacer{models: map[string]*budget{}} }

// admit decides when a call to model estimated at tokens may start. If that
// is no later than maxWait from now, the call is admitted: the budget is
// spent and wait is how long to hold it. Otherwise nothing is spent, ok is
// false and wait says how long the budget is gone.
func (p *pacer) admit(model string, tokens int64, now time.Time, maxWait time.Duration) (t ticket, wait time.Duration, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.models[model]
	if b == nil {
		b = &budget{}
		p.models[model] = b
	}
	at := later(b.requests.start(now, 1), b.tokens.start(now, tokens))
	wait = at.Sub(now)
	if wait > maxWait {
		return ticket{}, wait, false
	}
	b.requests.commit(at, 1)
	b.tokens.commit(at, tokens)
	return ticket{model: model, tokens: tokens}, wait, true
}

// done returns a call's claim when its answer (h, nil when none) is back,
// and takes the budget the answer reports.
func (p *pacer) done(t ticket, h http.Header, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.models[t.model]
	if b == nil {
		return
	}
	b.requests.inflight -= 1
	b.tokens.inflight -= t.tokens
	b.requests.update(h, "requests", now)
	b.tokens.update(h, "tokens", now)
}

// start is the earliest time a call costing cost units may start.
func (w *window) start(now time.Time, cost int64) time.Time {
	if w.limit <= 0 {
		return now
	}
	w.roll(now)
	if w.remaining-cost >= w.limit/paceReserveShare {
		return now
	}
	return later(w.resetAt, w.next)
}

// commit spends cost units for a call starting at at: from the current
// window, or as the next slot of the one after resetAt.
func (w *window) commit(at time.Time, cost int64) {
	w.inflight += cost
	if w.limit <= 0 || at.Before(w.resetAt) {
		w.remaining -= cost
		return
	}
	w.promised += cost
	w.next = later(w.next, at).Add(time.Duration(min(cost, w.limit)) * w.spacing)
}

// roll refills the window once resetAt has passed, less what was promised
// to it, and assumes the next reset comes as long after.
func (w *window) roll(now time.Time) {
	if now.Before(w.resetAt) {
		return
	}
	w.remaining, w.promised = w.limit-w.promised, 0
	w.resetAt = later(w.resetAt, now).Add(time.Duration(w.limit) * w.spacing)
}

// update takes the budget an answer's x-ratelimit-*-<dim> headers report. A
// missing or malformed value leaves the window as it was.
func (w *window) update(h http.Header, dim string, now time.Time) {
	limit, ok1 := headerInt(h, "x-ratelimit-limit-"+dim)
	remaining, ok2 := headerInt(h, "x-ratelimit-remaining-"+dim)
	reset, err := time.ParseDuration(strings.TrimSpace(h.Get("x-ratelimit-reset-" + dim)))
	if !ok1 || !ok2 || err != nil || limit <= 0 || remaining > limit || reset < 0 || reset > 25*time.Hour {
		return
	}
	w.limit = limit
	// Calls still out may not have reached the server's count yet.
	w.remaining = remaining - max(w.inflight, 0)
	w.resetAt = now.Add(reset)
	w.spacing = reset / time.Duration(limit)
}

// headerInt reads a non-negative integer header.
func headerInt(h http.Header, key string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(h.Get(key)), 10, 64)
	return n, err == nil && n >= 0
}

// codePaced is the provider.Error Code of a call the pacer did not make:
// the model's budget is spent for longer than InlineRetryAfterMax.
const codePaced = "paced"

// pace holds a call to model until its budget allows it. A wait longer than
// InlineRetryAfterMax is not taken: the call is not made and the error is
// RateLimited with RetryAfter, so the chain can try the next model and the
// queue can reschedule the job. A nil error comes with the call's ticket,
// which the attempt hands back with the answer's headers.
func (c *Client) pace(ctx context.Context, model string, msgs []goopenai.ChatCompletionMessage, maxTokens int) (ticket, *provider.Error) {
	t, wait, ok := c.pacer.admit(model, estimateTokens(msgs, maxTokens), c.now(), c.inlineRetryAfterMax)
	if !ok {
		c.metrics.deferred(model)
		return t, &provider.Error{Provider: ProviderName, Kind: provider.RateLimited, Code: codePaced,
			Message: "the model's rate limit is spent until its reset", RetryAfter: min(wait, c.maxRetryAfter)}
	}
	if wait <= 0 {
		return t, nil
	}
	c.metrics.paced(model, wait)
	c.log.LogAttrs(ctx, slog.LevelDebug, "openai paced", slog.String("model", model), slog.Duration("wait", wait))
	if err := c.sleep(ctx, wait); err != nil {
		c.pacer.done(t, nil, c.now())
		return t, c.contextError(ctx, err)
	}
	return t, nil
}

// estimateTokens is what the server counts against the token limit when a
// call arrives: the prompt at about four characters a token, plus the
// completion cap.
func estimateTokens(msgs []goopenai.ChatCompletionMessage, maxTokens int) int64 {
	n := 0
	for _, m := range msgs {
		n += len(m.Content)
	}
	return int64((n+3)/4 + max(maxTokens, 0))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
