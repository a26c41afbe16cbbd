package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/internal/otlptest"
	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/openai/openaitest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// tracedEnv is the environment of a service binary that exports its spans
// to rcv, on a key prefix of its own, with fake providers.
func tracedEnv(t *testing.T, rcv *otlptest.Receiver, oa *openaitest.Server, gi *getimgtest.Server, kv ...string) map[string]string {
	t.Helper()
	_, prefix := redistest.New(t)
	return withEnv(map[string]string{
		"REDIS_URL": redistest.URL(), "REDIS_KEY_PREFIX": prefix, "SECRET_KEY": servicetest.TestKey,
		"OPENAI_BASE_URL": oa.URL(), "OPENAI_API_KEY": "sk-trace-test-0123456789", "OPENAI_MODELS": "gpt-4o",
		"GETIMG_BASE_URL": gi.URL(), "GETIMG_API_KEY": getimgtest.APIKey,
		"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL(), "READINESS_DRAIN": "0",
	}, kv...)
}

// newTraceparent returns a W3C traceparent of a fresh trace, as a caller
// that traces its own work sends it, and its trace and span ids.
func newTraceparent(t *testing.T) (header, traceID, spanID string) {
	t.Helper()
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	traceID, spanID = hex.EncodeToString(b[:16]), hex.EncodeToString(b[16:])
	return "00-" + traceID + "-" + spanID + "-01", traceID, spanID
}

// named returns the trace's spans named name (or, with a trailing "*",
// whose name starts so).
func named(spans []otlptest.Span, name string) []otlptest.Span {
	var found []otlptest.Span
	for _, s := range spans {
		if s.Name == name || (strings.HasSuffix(name, "*") && strings.HasPrefix(s.Name, strings.TrimSuffix(name, "*"))) {
			found = append(found, s)
		}
	}
	return found
}

// span returns the trace's one span named name (see named), failing the
// test when there is not exactly one.
func span(t *testing.T, spans []otlptest.Span, name string) otlptest.Span {
	t.Helper()
	found := named(spans, name)
	if len(found) != 1 {
		t.Fatalf("%d spans named %s, want 1; the trace:\n%s", len(found), name, otlptest.Describe(spans))
	}
	return found[0]
}

// scriptsUnder checks that the trace has spans of the Redis script name
// (a second one when the server did not know the script yet and was sent
// it), all children of parent.
func scriptsUnder(t *testing.T, spans []otlptest.Span, name string, parent otlptest.Span) {
	t.Helper()
	found := named(spans, name)
	if len(found) == 0 || len(found) > 2 {
		t.Errorf("%d spans named %s, want 1 (or 2, with the script's first load); the trace:\n%s", len(found), name, otlptest.Describe(spans))
	}
	for _, s := range found {
		childOf(t, s, parent)
	}
}

// childOf checks that child's parent is parent.
func childOf(t *testing.T, child, parent otlptest.Span) {
	t.Helper()
	if child.ParentSpanID != parent.SpanID {
		t.Errorf("%s's parent = %s, want %s (%s)", child.Name, child.ParentSpanID, parent.SpanID, parent.Name)
	}
}

// oneTrace checks that every span of the request (those carrying its
// request id) belongs to the caller's trace: none started a trace of its
// own.
func oneTrace(t *testing.T, rcv *otlptest.Receiver, traceID, requestID string) {
	t.Helper()
	for _, s := range rcv.All() {
		if s.Attrs["request_id"] == requestID && s.TraceID != traceID {
			t.Errorf("span %s of request %s is in trace %s, want %s", s.Name, requestID, s.TraceID, traceID)
		}
	}
}

// A synchronous text request makes one trace, continuing the caller's:
// the server span, the job's run, the OpenAI call with its model and
// tokens, and the queue's Redis scripts.
func TestTraceSyncTextRequest(t *testing.T) {
	servicetest.SkipShort(t, "tracing: the service binary exports a request's trace")
	t.Parallel()
	rcv, oa, gi := otlptest.New(t), openaitest.New(t), getimgtest.New(t)
	oa.Push("gpt-4o", openaitest.Completion("gpt-4o", personalityContent(t), 120, 80))
	api := startProc(t, tracedEnv(t, rcv, oa, gi, "OTEL_SERVICE_NAME", "llm-api"))
	header, traceID, callerSpan := newTraceparent(t)
	r := servicetest.Do(t, "POST", api.URL+"/api/v2/text/character", servicetest.Token(t, "trace-caller"), personalityBody,
		servicetest.Header("traceparent", header))
	if r.Status != 200 {
		t.Fatalf("POST /api/v2/text/character = %d %s", r.Status, r.Body)
	}
	spans := rcv.WaitFor(t, traceID, 30*time.Second, otlptest.Named("POST /api/v2/text/character"),
		otlptest.Named("job text.character"), otlptest.Named("chat gpt-4o"), otlptest.Named("redis queue.enqueue"),
		func(s otlptest.Span) bool { return strings.HasPrefix(s.Name, "redis queue.complete") })

	server := span(t, spans, "POST /api/v2/text/character")
	if server.ParentSpanID != callerSpan || server.Kind != "server" || server.Service != "llm-api" {
		t.Errorf("server span = %+v, want a server span of llm-api under the caller's span %s", server, callerSpan)
	}
	job := span(t, spans, "job text.character")
	childOf(t, job, server)
	if job.Attrs["job.attempt"] != "1" || job.Attrs["job.outcome"] != "succeeded" || job.Attrs["request_id"] != r.Header.Get("X-Request-ID") {
		t.Errorf("job span attributes = %v, want attempt 1, succeeded, the request's id", job.Attrs)
	}
	call := span(t, spans, "chat gpt-4o")
	childOf(t, call, job)
	if call.Attrs["gen_ai.request.model"] != "gpt-4o" || call.Attrs["gen_ai.usage.input_tokens"] != "120" ||
		call.Attrs["gen_ai.usage.output_tokens"] != "80" || call.Attrs["llm.attempt"] != "1" {
		t.Errorf("OpenAI span attributes = %v, want model gpt-4o, 120 and 80 tokens, attempt 1", call.Attrs)
	}
	scriptsUnder(t, spans, "redis queue.enqueue", server)
	scriptsUnder(t, spans, "redis queue.complete*", job)
	oneTrace(t, rcv, traceID, r.Header.Get("X-Request-ID"))
}

// An asynchronous image request is run by another process, a worker: its
// job span and the GetImg call join the request's trace through the job
// record, and the job's hub event carries the worker's traceparent.
func TestTraceAsyncRequestAcrossProcesses(t *testing.T) {
	servicetest.SkipShort(t, "tracing: a trace across the API and a worker process")
	t.Parallel()
	rcv, oa, gi, hub := otlptest.New(t), openaitest.New(t), getimgtest.New(t), newFakeHub(t)
	env := tracedEnv(t, rcv, oa, gi, "MESSAGE_HUB_URL", hub.URL, "HUB_SERVICE_KEY", "trace-hub-key")
	api := startProc(t, withEnv(env, "OTEL_SERVICE_NAME", "llm-api", "TEXT_WORKERS", "0", "IMAGE_WORKERS", "0"))
	startProc(t, withEnv(env, "OTEL_SERVICE_NAME", "llm-worker"), "worker")
	header, traceID, callerSpan := newTraceparent(t)
	tok := servicetest.Token(t, "trace-caller")
	r := servicetest.Do(t, "POST", api.URL+"/api/v2/image/generate", tok,
		`{"type":"map_background","prompt":"a sunken keep","size":{"width":256,"height":256},"parameters":{"seed":7}}`,
		servicetest.Header("traceparent", header, "Prefer", "respond-async"))
	if r.Status != 202 {
		t.Fatalf("POST /api/v2/image/generate = %d %s, want 202", r.Status, r.Body)
	}
	if j := pollFinal(t, api.URL, tok, jobID(r), 60*time.Second); j["status"] != "succeeded" {
		t.Fatalf("job = %v, want succeeded", j)
	}
	spans := rcv.WaitFor(t, traceID, 30*time.Second, otlptest.Named("POST /api/v2/image/generate"),
		otlptest.Named("job image.generate"), func(s otlptest.Span) bool { return strings.HasPrefix(s.Name, "getimg ") })

	server := span(t, spans, "POST /api/v2/image/generate")
	if server.ParentSpanID != callerSpan || server.Service != "llm-api" {
		t.Errorf("server span = %+v, want llm-api's under the caller's span %s", server, callerSpan)
	}
	job := span(t, spans, "job image.generate")
	childOf(t, job, server)
	if job.Service != "llm-worker" || job.Kind != "consumer" {
		t.Errorf("job span = %+v, want a consumer span of llm-worker", job)
	}
	call := span(t, spans, "getimg *")
	childOf(t, call, job)
	if call.Service != "llm-worker" || call.Attrs["llm.attempt"] != "1" || call.Attrs["gen_ai.request.model"] == "" {
		t.Errorf("GetImg span = %+v, want llm-worker's first attempt with its model", call)
	}
	oneTrace(t, rcv, traceID, r.Header.Get("X-Request-ID"))

	var event map[string]any
	servicetest.WaitFor(t, 30*time.Second, "the job's event at the hub", func() bool {
		evs := hub.eventsOf("llm.image.completed")
		if len(evs) > 0 {
			event = evs[0]
		}
		return event != nil
	})
	md, _ := event["metadata"].(map[string]any)
	if want := "00-" + traceID + "-" + job.SpanID + "-01"; md["traceparent"] != want {
		t.Errorf("event metadata.traceparent = %v, want the worker's job span %s", md["traceparent"], want)
	}
}

// Under AWS Lambda an invocation's spans are exported before it returns: a
// frozen process exports nothing.
func TestTraceFlushedUnderLambda(t *testing.T) {
	servicetest.SkipShort(t, "emulator: builds the binary and the Lambda emulator, then traces one invocation")
	t.Parallel()
	rcv := otlptest.New(t)
	env := lambdaEnv(t, "text")
	env["OTEL_EXPORTER_OTLP_ENDPOINT"] = rcv.URL()
	raw, err := os.ReadFile("local/events/text-character.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	header, traceID, _ := newTraceparent(t)
	ev["headers"].(map[string]any)["traceparent"] = header
	event, _ := json.Marshal(ev)
	emu := startEmulator(t, env)
	var resp apiResponse
	if err := json.Unmarshal(emu.invoke(t, event), &resp); err != nil || resp.StatusCode != 200 {
		t.Fatalf("invocation = %d %v: %.300s", resp.StatusCode, err, resp.Body)
	}
	// No wait: the spans were sent before the invocation answered.
	spans := rcv.Spans(traceID)
	for _, name := range []string{"POST /api/v2/text/character", "job text.character"} {
		if len(named(spans, name)) != 1 {
			t.Errorf("when the invocation returned, the collector had no span %s; it had:\n%s", name, otlptest.Describe(spans))
		}
	}
}
