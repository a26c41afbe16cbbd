package openai_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/internal/otlptest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// Each attempt is a client span of the caller's trace, with the model, its
// number and the tokens billed; a failed one is marked so. (Tracing is
// process-wide: this test does not run in parallel.)
func TestAttemptSpans(t *testing.T) {
	rcv := otlptest.Install(t)
	e := newEnv(t, []string{"gpt-4o"}, nil)
	e.srv.Push("gpt-4o", openaitest.GatewayError(502), openaitest.Completion("gpt-4o", answerA, 120, 80))
	ctx, root := tracing.Start(context.Background(), "job text.character", trace.SpanKindConsumer)
	if _, err := e.c.Complete(ctx, baseRequest()); err != nil {
		t.Fatalf("Complete() = %v", err)
	}
	root.End()
	rcv.Flush(t)

	sc := root.SpanContext()
	var attempts []otlptest.Span
	for _, s := range rcv.Spans(sc.TraceID().String()) {
		if s.Name == "chat gpt-4o" {
			attempts = append(attempts, s)
		}
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempt spans, want 2:\n%s", len(attempts), otlptest.Describe(rcv.Spans(sc.TraceID().String())))
	}
	for i, s := range attempts {
		if s.Kind != "client" || s.ParentSpanID != sc.SpanID().String() || s.Attrs["gen_ai.request.model"] != "gpt-4o" {
			t.Errorf("attempt %d = %+v, want a client span of gpt-4o under the job", i+1, s)
		}
	}
	first, second := attempts[0], attempts[1]
	if first.Attrs["llm.attempt"] != "1" || !first.Error || first.Attrs["http.response.status_code"] != "502" {
		t.Errorf("first attempt = %v (error %v), want attempt 1 failed with 502", first.Attrs, first.Error)
	}
	if second.Attrs["llm.attempt"] != "2" || second.Error ||
		second.Attrs["gen_ai.usage.input_tokens"] != "120" || second.Attrs["gen_ai.usage.output_tokens"] != "80" {
		t.Errorf("second attempt = %v (error %v), want attempt 2 with 120 and 80 tokens", second.Attrs, second.Error)
	}
}
