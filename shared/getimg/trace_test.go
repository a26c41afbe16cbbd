package getimg_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/dndcc/dnd-llm-service/internal/otlptest"
	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/tracing"
)

// Each attempt is a client span of the caller's trace, with the model, its
// number and the cost; a failed one is marked so. (Tracing is
// process-wide: this test does not run in parallel.)
func TestAttemptSpans(t *testing.T) {
	rcv := otlptest.Install(t)
	h := newHarness(t, nil)
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(500, "internal_error", "boom"))
	ctx, root := tracing.Start(context.Background(), "job image.generate", trace.SpanKindConsumer)
	if _, err := h.client.TextToImage(ctx, getimg.TextToImage{Prompt: "a tavern", Width: 64, Height: 64}); err != nil {
		t.Fatalf("TextToImage() = %v", err)
	}
	root.End()
	rcv.Flush(t)

	sc := root.SpanContext()
	spans := rcv.Spans(sc.TraceID().String())
	var attempts []otlptest.Span
	for _, s := range spans {
		if s.Name == "getimg stable-diffusion-xl/text-to-image" {
			attempts = append(attempts, s)
		}
	}
	if len(attempts) != 2 {
		t.Fatalf("%d attempt spans, want 2:\n%s", len(attempts), otlptest.Describe(spans))
	}
	first, second := attempts[0], attempts[1]
	if first.Attrs["llm.attempt"] != "1" || !first.Error || first.ParentSpanID != sc.SpanID().String() {
		t.Errorf("first attempt = %+v, want attempt 1, failed, under the job", first)
	}
	if second.Attrs["llm.attempt"] != "2" || second.Error || second.Attrs["gen_ai.request.model"] != "stable-diffusion-xl" ||
		second.Attrs["getimg.cost_usd"] == "" || second.Kind != "client" {
		t.Errorf("second attempt = %+v, want attempt 2 of stable-diffusion-xl with its cost", second)
	}
}
