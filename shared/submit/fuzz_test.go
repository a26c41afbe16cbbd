package submit_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/httpapi"
	"github.com/dndcc/dnd-llm-service/shared/submit"
)

// FuzzWaitParam checks ?wait= parsing: any value is either a 400 naming
// "wait" or a wait within 0..MaxWait, and within a request deadline.
// Seeds live in testdata/fuzz/FuzzWaitParam.
func FuzzWaitParam(f *testing.F) {
	s := submit.New(submit.Config{})
	f.Fuzz(func(t *testing.T, wait string, deadlineMs int16) {
		r := httptest.NewRequest("GET", "/api/v2/queue/x?"+url.Values{"wait": {wait}}.Encode(), nil)
		var dl time.Time
		if deadlineMs > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), time.Duration(deadlineMs)*time.Millisecond)
			defer cancel()
			dl, _ = ctx.Deadline()
			r = r.WithContext(ctx)
		}
		d, err := s.WaitParam(r, submit.DefaultWait)
		if err != nil {
			var p *httpapi.Problem
			if !errors.As(err, &p) || p.Status != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "wait" {
				t.Fatalf("WaitParam(%q) error = %v, want a 400 naming wait", wait, err)
			}
			return
		}
		if d < 0 || d > submit.MaxWait {
			t.Fatalf("WaitParam(%q) = %v, want 0..%v", wait, d, submit.MaxWait)
		}
		if !dl.IsZero() && d > time.Until(dl) {
			t.Fatalf("WaitParam(%q) = %v, past the request deadline", wait, d)
		}
	})
}
