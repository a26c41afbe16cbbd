package submit_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/queue"
	"github.com/dndcc/dnd-llm-service/shared/ratelimit"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// twoQueues is a Service over a text and an image queue, with limits of
// textLimit and imageLimit requests a minute.
type twoQueues struct {
	svc         *submit.Service
	text, image *queue.Queue
	cache       *fakeCache
}

func newTwoQueues(t *testing.T, rdb redis.UniversalClient, prefix string, textLimit, imageLimit int) *twoQueues {
	t.Helper()
	e := &twoQueues{
		text:  queue.New(rdb, queue.Config{Name: "text", Prefix: prefix}),
		image: queue.New(rdb, queue.Config{Name: "image", Prefix: prefix}),
		cache: &fakeCache{m: map[string][]byte{}},
	}
	e.svc = submit.New(submit.Config{
		Queues:  []submit.QueueConfig{{Queue: e.text, RateLimit: textLimit}, {Queue: e.image, RateLimit: imageLimit}},
		Limiter: ratelimit.New(rdb, prefix), Cache: e.cache, Logger: discard,
	})
	return e
}

func (e *twoQueues) admit(t *testing.T, caller string, req submit.Request) (submit.Admission, http.Header, error) {
	t.Helper()
	hdr := http.Header{}
	a, err := e.svc.Admit(context.Background(), hdr, auth.Claims{Subject: caller}, req, "", "")
	return a, hdr, err
}

func queued(t *testing.T, q *queue.Queue) int64 {
	t.Helper()
	st, err := q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st.Queued
}

func TestChargesAreAllOrNone(t *testing.T) {
	t.Parallel()
	redistest.Each(t, func(t *testing.T, rdb redis.UniversalClient, prefix string) {
		e := newTwoQueues(t, rdb, prefix, 10, 1)
		whole := submit.Request{Queue: "text", Kind: "text.echo", Payload: []byte(`{}`),
			Charges: []submit.Charge{{Group: "text", N: 3}, {Group: "image", N: 1}}}

		_, hdr, err := e.admit(t, "c", whole)
		if err != nil {
			t.Fatalf("first Admit = %v", err)
		}
		if got, want := hdr.Get("RateLimit"), `"text";r=7;t=18, "image";r=0;t=60`; got != want {
			t.Errorf("RateLimit = %q, want %q", got, want)
		}
		if got, want := hdr.Get("RateLimit-Policy"), `"text";q=10;w=60, "image";q=1;w=60`; got != want {
			t.Errorf("RateLimit-Policy = %q, want %q", got, want)
		}

		// The image limit refuses the second: the text requests it took
		// are given back, and nothing is queued.
		_, hdr, err = e.admit(t, "c", whole)
		var p *httpapi.Problem
		if !errors.As(err, &p) || p.Code != httpapi.CodeRateLimited || p.RetryAfter <= 0 {
			t.Fatalf("second Admit = %v, want RATE_LIMITED with Retry-After", err)
		}
		if got, want := hdr.Get("RateLimit"), `"text";r=7;t=18, "image";r=0;t=60`; got != want {
			t.Errorf("RateLimit of the refusal = %q, want %q (text given back)", got, want)
		}
		if n := queued(t, e.text); n != 1 {
			t.Errorf("%d text jobs queued, want 1: the refused request starts nothing", n)
		}
		text := submit.Request{Queue: "text", Kind: "text.echo", Payload: []byte(`{}`), Charges: []submit.Charge{{Group: "text", N: 7}}}
		if _, _, err := e.admit(t, "c", text); err != nil {
			t.Errorf("Admit of the 7 text requests left = %v, want admitted", err)
		}

		huge := submit.Request{Queue: "text", Kind: "text.echo", Payload: []byte(`{}`), Charges: []submit.Charge{{Group: "text", N: 11}}}
		if _, _, err := e.admit(t, "other", huge); !errors.As(err, &p) || p.Code != httpapi.CodeRateLimited || p.RetryAfter != 0 {
			t.Errorf("Admit of more than the limit = %v, want RATE_LIMITED without Retry-After: no wait helps", err)
		}
	})
}

func TestAdmitStep(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	e := newTwoQueues(t, rdb, prefix, 1, 1)
	ctx := context.Background()
	step := submit.Request{Queue: "text", Kind: "text.echo", Payload: []byte(`{"p":1}`), Canonical: "one", CacheKey: "k1"}

	// No rate limit is charged: a limit of 1 admits any number of steps.
	first, err := e.svc.AdmitStep(ctx, "c", step, "")
	if err != nil || first.Job.Status != queue.StatusQueued {
		t.Fatalf("AdmitStep = %+v, %v, want a queued job", first, err)
	}
	dup, err := e.svc.AdmitStep(ctx, "c", step, "")
	if err != nil || !dup.Duplicate || dup.Job.ID != first.Job.ID {
		t.Errorf("AdmitStep of the same step = %+v, %v, want the live job %s, deduplicated", dup, err, first.Job.ID)
	}
	e.cache.put("text", "k2", `{"cached":true}`)
	hit, err := e.svc.AdmitStep(ctx, "c", submit.Request{Queue: "text", Kind: "text.echo", Payload: []byte(`{}`), CacheKey: "k2"}, "")
	if err != nil || !hit.CacheHit || hit.Job.Status != queue.StatusSucceeded || string(hit.Job.Result) != `{"cached":true}` {
		t.Errorf("AdmitStep of a cached step = %+v, %v, want a cache hit", hit, err)
	}
	if miss, err := e.svc.AdmitStep(ctx, "c", submit.Request{Queue: "text", Kind: "text.echo", Payload: []byte(`{}`), CacheKey: "k2"}, "no-cache"); err != nil || miss.CacheHit {
		t.Errorf("AdmitStep with no-cache = %+v, %v, want no cache hit", miss, err)
	}
	quota := step
	quota.Canonical = "two"
	quota.Quota = func(context.Context, string) error { return httpapi.NewProblem(httpapi.CodeQuotaExceeded, "spent") }
	var p *httpapi.Problem
	if _, err := e.svc.AdmitStep(ctx, "c", quota, ""); !errors.As(err, &p) || p.Code != httpapi.CodeQuotaExceeded {
		t.Errorf("AdmitStep over quota = %v, want QUOTA_EXCEEDED", err)
	}
}

func TestNoStoreTravelsToBuilders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if submit.NoStoreIn(ctx) {
		t.Errorf("NoStoreIn(a plain context) = true, want false")
	}
	if !submit.NoStoreIn(submit.WithNoStore(ctx, true)) {
		t.Errorf("NoStoreIn(WithNoStore(true)) = false, want true")
	}
}
