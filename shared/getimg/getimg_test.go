package getimg_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

func seed(n int64) *int64 { return &n }

func TestEndpointsSuccess(t *testing.T) {
	t.Parallel()
	input := smallPNG(t)
	tests := []struct {
		name       string
		call       func(context.Context, *getimg.Client) (getimg.Image, error)
		path       string
		wantFormat string
		wantW      int
		wantH      int
		want       getimg.Image // Seed, Cost, Model, Endpoint, MIME
	}{
		{
			name: "sdxl_text_to_image",
			call: func(ctx context.Context, c *getimg.Client) (getimg.Image, error) {
				return c.TextToImage(ctx, getimg.TextToImage{Prompt: "a dwarf paladin", NegativePrompt: "blurry", Width: 256, Height: 128, Steps: 25, Guidance: 7.5, Seed: seed(42), OutputFormat: "png"})
			},
			path: getimgtest.PathSDXLText, wantFormat: "png", wantW: 256, wantH: 128,
			want: getimg.Image{MIME: "image/png", Seed: 42, Cost: 0.000172, Model: "stable-diffusion-xl", Endpoint: "stable-diffusion-xl/text-to-image"},
		},
		{
			name: "flux_text_to_image",
			call: func(ctx context.Context, c *getimg.Client) (getimg.Image, error) {
				// negative prompt and guidance are dropped: FLUX has neither.
				return c.TextToImage(ctx, getimg.TextToImage{Model: "flux-schnell", Prompt: "an elven ranger", NegativePrompt: "blurry", Guidance: 3, Width: 128, Height: 128, Steps: 4, Seed: seed(0), OutputFormat: "jpeg"})
			},
			path: getimgtest.PathFluxText, wantFormat: "jpeg", wantW: 128, wantH: 128,
			want: getimg.Image{MIME: "image/jpeg", Seed: 0, Cost: 0.000014, Model: "flux-schnell", Endpoint: "flux-schnell/text-to-image"},
		},
		{
			name: "sdxl_text_to_image_defaults",
			call: func(ctx context.Context, c *getimg.Client) (getimg.Image, error) {
				return c.TextToImage(ctx, getimg.TextToImage{Prompt: "a tavern", Width: 64, Height: 64})
			},
			path: getimgtest.PathSDXLText, wantFormat: "png", wantW: 64, wantH: 64,
			want: getimg.Image{MIME: "image/png", Seed: 1710317374, Cost: 0.000026, Model: "stable-diffusion-xl", Endpoint: "stable-diffusion-xl/text-to-image"},
		},
		{
			name: "sdxl_image_to_image",
			call: func(ctx context.Context, c *getimg.Client) (getimg.Image, error) {
				return c.ImageToImage(ctx, getimg.ImageToImage{Prompt: "make it night", NegativePrompt: "daylight", Image: input, Strength: 0.6, Steps: 20, Guidance: 6, Seed: seed(9), OutputFormat: "png"})
			},
			path: getimgtest.PathSDXLImage, wantFormat: "png", wantW: 64, wantH: 48,
			want: getimg.Image{MIME: "image/png", Seed: 9, Cost: 0.000013, Model: "stable-diffusion-xl", Endpoint: "stable-diffusion-xl/image-to-image"},
		},
		{
			name: "upscale",
			call: func(ctx context.Context, c *getimg.Client) (getimg.Image, error) {
				return c.Upscale(ctx, getimg.Upscale{Image: input, Scale: 2})
			},
			path: getimgtest.PathUpscale, wantFormat: "png", wantW: 128, wantH: 96,
			want: getimg.Image{MIME: "image/png", Cost: 0.000003, Model: "real-esrgan-4x", Endpoint: "enhancements/upscale"},
		},
		{
			name: "face_fix",
			call: func(ctx context.Context, c *getimg.Client) (getimg.Image, error) {
				return c.FaceFix(ctx, getimg.FaceFix{Image: input})
			},
			path: getimgtest.PathFaceFix, wantFormat: "png", wantW: 64, wantH: 48,
			want: getimg.Image{MIME: "image/png", Cost: 0.000001, Model: "gfpgan-v1-3", Endpoint: "enhancements/face-fix"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			got, err := tc.call(t.Context(), h.client)
			if err != nil {
				t.Fatalf("%s error = %v, want nil", tc.name, err)
			}
			format, w, ht := decodeConfig(t, got.Data)
			if format != tc.wantFormat || w != tc.wantW || ht != tc.wantH {
				t.Errorf("%s image = %s %dx%d, want %s %dx%d", tc.name, format, w, ht, tc.wantFormat, tc.wantW, tc.wantH)
			}
			got.Data = nil
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", tc.name, diff)
			}
			reqs := h.fake.Requests()
			if len(reqs) != 1 || reqs[0].Path != tc.path {
				t.Fatalf("requests = %+v, want one to %s", reqs, tc.path)
			}
			if auth := reqs[0].Header.Get("Authorization"); auth != "Bearer "+getimgtest.APIKey {
				t.Errorf("Authorization = %q, want the bearer key", auth)
			}
			if ct := reqs[0].Header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			wireGolden(t, tc.name, reqs[0].Body, input)
			if n := h.metric(t, "llm_getimg_requests_total", map[string]string{"endpoint": tc.want.Endpoint, "outcome": "ok"}); n != 1 {
				t.Errorf("requests_total{ok} = %v, want 1", n)
			}
			if n := h.metric(t, "llm_getimg_request_duration_seconds", map[string]string{"endpoint": tc.want.Endpoint}); n != 1 {
				t.Errorf("request_duration_seconds count = %v, want 1", n)
			}
			if usd := h.metric(t, "llm_getimg_cost_dollars_total", map[string]string{"endpoint": tc.want.Endpoint}); usd != tc.want.Cost {
				t.Errorf("cost_dollars_total = %v, want %v", usd, tc.want.Cost)
			}
			if s := h.client.State(); s != provider.StateOK {
				t.Errorf("State() = %v, want ok", s)
			}
		})
	}
}

func TestWebPAnswerSniffed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	webp := []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\r\x00\x00\x00/\x00\x00\x00\x10\a\x10\x11\x11\x88\x88\xfe\a\x00")
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.Success(webp, 5, 0.001))
	got, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", OutputFormat: "webp"})
	if err != nil {
		t.Fatalf("TextToImage error = %v, want nil", err)
	}
	if got.MIME != "image/webp" || got.Seed != 5 || got.Cost != 0.001 || string(got.Data) != string(webp) {
		t.Errorf("TextToImage = %s seed %d cost %v (%d bytes), want image/webp seed 5 cost 0.001", got.MIME, got.Seed, got.Cost, len(got.Data))
	}
}

func TestRateLimited(t *testing.T) {
	t.Parallel()
	ok := getimgtest.Success(getimgtest.EncodePNG(t, getimgtest.Pattern(64, 64, 1)), 1, 0.01)
	with := func(r getimgtest.Reply, kv ...string) getimgtest.Reply {
		r.Header = r.Header.Clone()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				r.Header.Del(kv[i])
			} else {
				r.Header.Set(kv[i], kv[i+1])
			}
		}
		return r
	}
	concurrency := getimgtest.ErrorReply(http.StatusTooManyRequests, "rate_limit", "Too many concurrent requests.")
	tests := []struct {
		name       string
		replies    []getimgtest.Reply
		wantSleeps []time.Duration
		wantCalls  int
		wantErr    bool
		retryAfter time.Duration // of the returned error
	}{
		{name: "retry-after seconds honoured", replies: []getimgtest.Reply{concurrency, ok}, wantSleeps: []time.Duration{time.Second}, wantCalls: 2},
		{name: "retry-after fractional seconds", replies: []getimgtest.Reply{with(concurrency, "Retry-After", "1.5"), ok}, wantSleeps: []time.Duration{1500 * time.Millisecond}, wantCalls: 2},
		{name: "retry-after http date", replies: []getimgtest.Reply{with(concurrency, "Retry-After", clock.Add(2*time.Second).Format(http.TimeFormat)), ok}, wantSleeps: []time.Duration{2 * time.Second}, wantCalls: 2},
		{name: "no hint backs off", replies: []getimgtest.Reply{with(concurrency, "Retry-After", "", "X-RateLimit-Remaining", "3"), ok}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2},
		{name: "spent window waits for reset", replies: []getimgtest.Reply{with(concurrency, "Retry-After", "", "X-RateLimit-Reset", "1772366401"), ok}, wantSleeps: []time.Duration{time.Second}, wantCalls: 2},
		{name: "long hint returns at once", replies: []getimgtest.Reply{with(concurrency, "Retry-After", "30")}, wantCalls: 1, wantErr: true, retryAfter: 30 * time.Second},
		{name: "long hint is capped", replies: []getimgtest.Reply{with(concurrency, "Retry-After", "86400")}, wantCalls: 1, wantErr: true, retryAfter: time.Minute},
		{name: "spent window with distant reset returns at once", replies: []getimgtest.Reply{with(concurrency, "Retry-After", "", "X-RateLimit-Reset", "1772366430")}, wantCalls: 1, wantErr: true, retryAfter: 30 * time.Second},
		{name: "retries exhausted", replies: []getimgtest.Reply{concurrency, concurrency, concurrency}, wantSleeps: []time.Duration{time.Second, time.Second}, wantCalls: 3, wantErr: true, retryAfter: time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.fake.Push(getimgtest.PathSDXLText, tc.replies...)
			_, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
			if tc.wantErr {
				pe := asProvider(t, err, provider.RateLimited)
				if pe.RetryAfter != tc.retryAfter || pe.Code != "rate_limit" || pe.Status != 429 {
					t.Errorf("error = %+v, want RetryAfter %v, code rate_limit, status 429", pe, tc.retryAfter)
				}
				if s := h.client.State(); s != provider.StateDegraded {
					t.Errorf("State() = %v, want degraded", s)
				}
			} else if err != nil {
				t.Fatalf("TextToImage error = %v, want nil", err)
			}
			if diff := cmp.Diff(tc.wantSleeps, h.slept()); diff != "" {
				t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
			}
			if n := h.fake.Calls(getimgtest.PathSDXLText); n != tc.wantCalls {
				t.Errorf("Calls = %d, want %d", n, tc.wantCalls)
			}
			if n := h.metric(t, "llm_getimg_retries_total", map[string]string{"endpoint": getimg.EndpointSDXLText}); n != float64(len(tc.wantSleeps)) {
				t.Errorf("retries_total = %v, want %d", n, len(tc.wantSleeps))
			}
		})
	}
}

func TestFailuresNotRetried(t *testing.T) {
	t.Parallel()
	secret := "internal-host-10-1-2-3 trace id 1234"
	tests := []struct {
		name      string
		reply     getimgtest.Reply
		kind      provider.Kind
		code      string
		state     provider.State
		wantMsg   string
		wantState provider.State
	}{
		{name: "402 balance", reply: getimgtest.ErrorReply(402, "payment_required", "Your balance is too low. "+secret), kind: provider.Quota, code: "insufficient_balance", wantMsg: "the image provider account is out of balance", wantState: provider.StateNoBalance},
		{name: "401 key", reply: getimgtest.ErrorReply(401, "invalid_api_key", "Bad key "+getimgtest.APIKey), kind: provider.Unauthorized, code: "invalid_api_key", wantMsg: "the image provider refused the API key", wantState: provider.StateUnauthorized},
		{name: "403 key", reply: getimgtest.ErrorReply(403, "forbidden", secret), kind: provider.Unauthorized, code: "forbidden", wantMsg: "the image provider refused the API key", wantState: provider.StateUnauthorized},
		{name: "400 parameter", reply: getimgtest.ErrorReply(400, "invalid_parameter", "width must be a multiple of 64 <script>"+secret), kind: provider.BadRequest, code: "invalid_parameter", wantMsg: "the image provider rejected the request parameters", wantState: provider.StateOK},
		{name: "400 string error", reply: getimgtest.Reply{Status: 400, Body: []byte(`{"error":"` + secret + `"}`)}, kind: provider.BadRequest, wantMsg: "the image provider rejected the request parameters", wantState: provider.StateOK},
		{name: "400 numeric code", reply: getimgtest.Reply{Status: 400, Body: []byte(`{"error":{"code":4001,"message":"` + secret + `"}}`)}, kind: provider.BadRequest, code: "4001", wantMsg: "the image provider rejected the request parameters", wantState: provider.StateOK},
		{name: "400 unsafe code dropped", reply: getimgtest.Reply{Status: 400, Body: []byte(`{"error":{"code":"has spaces <b>","message":"x"}}`)}, kind: provider.BadRequest, wantMsg: "the image provider rejected the request parameters", wantState: provider.StateOK},
		{name: "404 model", reply: getimgtest.ErrorReply(404, "model_not_found", secret), kind: provider.BadRequest, code: "model_not_found", wantMsg: "the image provider does not offer this model or endpoint", wantState: provider.StateOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			h.fake.Push(getimgtest.PathSDXLText, tc.reply)
			_, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
			pe := asProvider(t, err, tc.kind)
			if pe.Message != tc.wantMsg || pe.Code != tc.code || pe.Status != tc.reply.Status {
				t.Errorf("error = {Message:%q Code:%q Status:%d}, want {%q %q %d}", pe.Message, pe.Code, pe.Status, tc.wantMsg, tc.code, tc.reply.Status)
			}
			if strings.Contains(err.Error(), getimgtest.APIKey) {
				t.Errorf("error text %q contains the API key", err)
			}
			if n := h.fake.Calls(getimgtest.PathSDXLText); n != 1 {
				t.Errorf("Calls = %d, want 1 (no retry)", n)
			}
			if len(h.slept()) != 0 {
				t.Errorf("sleeps = %v, want none", h.slept())
			}
			if s := h.client.State(); s != tc.wantState {
				t.Errorf("State() = %v, want %v", s, tc.wantState)
			}
			if n := h.metric(t, "llm_getimg_requests_total", map[string]string{"endpoint": getimg.EndpointSDXLText, "outcome": tc.kind.String()}); n != 1 {
				t.Errorf("requests_total{%v} = %v, want 1", tc.kind, n)
			}
		})
	}
}

func TestWrongKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *getimg.Config) { c.APIKey = "wrong-key-123" })
	_, err := h.client.Upscale(t.Context(), getimg.Upscale{Image: smallPNG(t)})
	pe := asProvider(t, err, provider.Unauthorized)
	if strings.Contains(err.Error(), "wrong-key-123") || strings.Contains(pe.Message, "wrong-key-123") {
		t.Errorf("error %q contains the key", err)
	}
	if n := h.fake.Calls(getimgtest.PathUpscale); n != 1 {
		t.Errorf("Calls = %d, want 1", n)
	}
	if s := h.client.State(); s != provider.StateUnauthorized {
		t.Errorf("State() = %v, want unauthorized", s)
	}
}

func TestTransientRetried(t *testing.T) {
	t.Parallel()
	okImg := getimgtest.EncodePNG(t, getimgtest.Pattern(64, 64, 3))
	html := getimgtest.Reply{Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html><body><h1>502 Bad Gateway</h1>upstream 10.0.0.7:8080</body></html>")}
	tests := []struct {
		name       string
		replies    []getimgtest.Reply
		timeout    time.Duration
		wantErr    provider.Kind // 0 for success
		wantSleeps []time.Duration
		wantCalls  int
		outcome    string // of the first attempt
	}{
		{name: "500 then success", replies: []getimgtest.Reply{getimgtest.ErrorReply(500, "internal_error", "boom")}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "transient"},
		{name: "html 502 then success", replies: []getimgtest.Reply{html}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "transient"},
		{name: "html 502 exhausted", replies: []getimgtest.Reply{html, html, html}, wantErr: provider.Transient, wantSleeps: []time.Duration{500 * time.Millisecond, time.Second}, wantCalls: 3, outcome: "transient"},
		{name: "slow answer times out then retry", replies: []getimgtest.Reply{{Delay: time.Minute, Body: []byte("{}")}}, timeout: 100 * time.Millisecond, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "timeout"},
		{name: "slow answers exhausted", replies: []getimgtest.Reply{{Delay: time.Minute}, {Delay: time.Minute}, {Delay: time.Minute}}, timeout: 50 * time.Millisecond, wantErr: provider.Timeout, wantSleeps: []time.Duration{500 * time.Millisecond, time.Second}, wantCalls: 3, outcome: "timeout"},
		{name: "reset mid body then success", replies: []getimgtest.Reply{withReset(getimgtest.Success(okImg, 1, 0.01))}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "transient"},
		{name: "reset mid body exhausted", replies: []getimgtest.Reply{withReset(getimgtest.Success(okImg, 1, 0.01)), withReset(getimgtest.Success(okImg, 1, 0.01)), withReset(getimgtest.Success(okImg, 1, 0.01))}, wantErr: provider.Transient, wantSleeps: []time.Duration{500 * time.Millisecond, time.Second}, wantCalls: 3, outcome: "transient"},
		{name: "malformed json then success", replies: []getimgtest.Reply{{Body: []byte(`{"image": "abc`)}}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "transient"},
		{name: "not an image then success", replies: []getimgtest.Reply{getimgtest.Success([]byte("PK\x03\x04zip"), 1, 0.01)}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "transient"},
		{name: "empty image then success", replies: []getimgtest.Reply{{Body: []byte(`{"seed":1,"cost":0.1}`)}}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "transient"},
		{name: "408 then success", replies: []getimgtest.Reply{getimgtest.ErrorReply(408, "timeout", "slow")}, wantSleeps: []time.Duration{500 * time.Millisecond}, wantCalls: 2, outcome: "timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, func(c *getimg.Config) {
				if tc.timeout > 0 {
					c.RequestTimeout = tc.timeout
				}
			})
			h.fake.Push(getimgtest.PathSDXLText, tc.replies...)
			img, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
			if tc.wantErr != 0 {
				pe := asProvider(t, err, tc.wantErr)
				if strings.Contains(pe.Message, "10.0.0.7") || strings.Contains(err.Error(), "<html") {
					t.Errorf("error %q leaks the provider body", err)
				}
				if s := h.client.State(); s != provider.StateDegraded {
					t.Errorf("State() = %v, want degraded", s)
				}
			} else {
				if err != nil {
					t.Fatalf("TextToImage error = %v, want nil", err)
				}
				if img.MIME != "image/png" {
					t.Errorf("MIME = %q, want image/png", img.MIME)
				}
				if s := h.client.State(); s != provider.StateOK {
					t.Errorf("State() = %v, want ok", s)
				}
			}
			if diff := cmp.Diff(tc.wantSleeps, h.slept()); diff != "" {
				t.Errorf("sleeps mismatch (-want +got):\n%s", diff)
			}
			if n := h.fake.Calls(getimgtest.PathSDXLText); n != tc.wantCalls {
				t.Errorf("Calls = %d, want %d", n, tc.wantCalls)
			}
			if n := h.metric(t, "llm_getimg_requests_total", map[string]string{"endpoint": getimg.EndpointSDXLText, "outcome": tc.outcome}); n < 1 {
				t.Errorf("requests_total{%s} = %v, want at least 1", tc.outcome, n)
			}
		})
	}
}

func withReset(r getimgtest.Reply) getimgtest.Reply {
	r.ResetMidBody = true
	return r
}

func TestBackoffGrowsAndIsJittered(t *testing.T) {
	t.Parallel()
	var jittered []time.Duration
	h := newHarness(t, func(c *getimg.Config) {
		c.MaxRetries = 6
		c.Jitter = func(d time.Duration) time.Duration { jittered = append(jittered, d); return d - time.Millisecond }
	})
	fail := getimgtest.ErrorReply(503, "unavailable", "down")
	h.fake.Push(getimgtest.PathSDXLText, fail, fail, fail, fail, fail, fail, fail)
	_, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
	asProvider(t, err, provider.Transient)
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	if diff := cmp.Diff(want, jittered); diff != "" {
		t.Errorf("backoff before jitter (-want +got):\n%s", diff)
	}
	var wantSleeps []time.Duration
	for _, d := range want {
		wantSleeps = append(wantSleeps, d-time.Millisecond)
	}
	if diff := cmp.Diff(wantSleeps, h.slept()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
	if n := h.fake.Calls(getimgtest.PathSDXLText); n != 7 {
		t.Errorf("Calls = %d, want 7", n)
	}
}

func TestNoRetries(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(c *getimg.Config) { c.MaxRetries = -1 })
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(500, "internal_error", "boom"))
	_, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
	asProvider(t, err, provider.Transient)
	if n := h.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("Calls = %d, want 1", n)
	}
}

func TestCancelMidCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.Reply{Delay: time.Minute})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := h.client.TextToImage(ctx, getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
		done <- err
	}()
	waitFor(t, "the request to reach the fake", func() bool { return h.fake.Calls(getimgtest.PathSDXLText) == 1 })
	cancel()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("TextToImage did not return after cancel")
	}
	pe := asProvider(t, err, provider.Canceled)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want it to wrap context.Canceled", err)
	}
	if pe.Retryable() {
		t.Errorf("Canceled error is retryable")
	}
	if n := h.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("Calls = %d, want 1", n)
	}
	if len(h.slept()) != 0 {
		t.Errorf("sleeps = %v, want none", h.slept())
	}
	if s := h.client.State(); s != provider.StateOK {
		t.Errorf("State() = %v, want ok (a cancel says nothing of the provider)", s)
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	h := newHarness(t, func(c *getimg.Config) {
		c.Sleep = func(context.Context, time.Duration) error { cancel(); return context.Canceled }
	})
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(500, "internal_error", "boom"))
	_, err := h.client.TextToImage(ctx, getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
	asProvider(t, err, provider.Canceled)
	if n := h.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("Calls = %d, want 1", n)
	}
}

func TestCallerDeadline(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.Reply{Delay: time.Minute})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := h.client.TextToImage(ctx, getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
	asProvider(t, err, provider.Timeout)
	if n := h.fake.Calls(getimgtest.PathSDXLText); n != 1 {
		t.Errorf("Calls = %d, want 1 (the caller's deadline ends the call)", n)
	}
}

func TestUnreachable(t *testing.T) {
	t.Parallel()
	c, err := getimg.New(getimg.Config{
		APIKey:  "k",
		BaseURL: "http://127.0.0.1:1",
		Sleep:   func(ctx context.Context, d time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.FaceFix(t.Context(), getimg.FaceFix{Image: smallPNG(t)})
	pe := asProvider(t, err, provider.Transient)
	if pe.Message != "the connection to the image provider failed" {
		t.Errorf("Message = %q", pe.Message)
	}
	if c.State() != provider.StateDegraded {
		t.Errorf("State() = %v, want degraded", c.State())
	}
}

func TestRateLimitHeaders(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	if got := h.client.RateLimit(); got != (getimg.RateLimit{}) {
		t.Errorf("RateLimit() before any call = %+v, want zero", got)
	}
	reply := getimgtest.Success(getimgtest.EncodePNG(t, getimgtest.Pattern(64, 64, 1)), 1, 0.01)
	reply.Header.Set("X-RateLimit-Limit", "100")
	reply.Header.Set("X-RateLimit-Remaining", "97")
	reply.Header.Set("X-RateLimit-Reset", "1772366460")
	h.fake.Push(getimgtest.PathSDXLText, reply)
	if _, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x"}); err != nil {
		t.Fatal(err)
	}
	want := getimg.RateLimit{Limit: 100, Remaining: 97, Reset: time.Unix(1772366460, 0), Updated: clock}
	if diff := cmp.Diff(want, h.client.RateLimit()); diff != "" {
		t.Errorf("RateLimit() (-want +got):\n%s", diff)
	}
	// The fake's own headers on an error answer are recorded too.
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(400, "invalid_parameter", "x"))
	h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x"})
	if got := h.client.RateLimit(); got.Limit != getimgtest.RateLimitPerWindow || got.Remaining != getimgtest.RateLimitPerWindow-2 {
		t.Errorf("RateLimit() = %+v, want the fake's limit %d and remaining %d", got, getimgtest.RateLimitPerWindow, getimgtest.RateLimitPerWindow-2)
	}
}

func TestInvalidRequestsNotSent(t *testing.T) {
	t.Parallel()
	img := smallPNG(t)
	tests := []struct {
		name string
		call func(context.Context, *getimg.Client) error
		msg  string
	}{
		{"empty prompt", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.TextToImage(ctx, getimg.TextToImage{Prompt: "  "})
			return err
		}, "a prompt is required"},
		{"unknown model", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.TextToImage(ctx, getimg.TextToImage{Prompt: "x", Model: "dall-e"})
			return err
		}, `unsupported text-to-image model "dall-e"`},
		{"bad output format", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.TextToImage(ctx, getimg.TextToImage{Prompt: "x", OutputFormat: "gif"})
			return err
		}, "output format must be png, jpeg or webp"},
		{"negative size", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.TextToImage(ctx, getimg.TextToImage{Prompt: "x", Width: -1})
			return err
		}, "width and height must not be negative"},
		{"negative steps", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.ImageToImage(ctx, getimg.ImageToImage{Prompt: "x", Image: img, Steps: -1})
			return err
		}, "steps must not be negative"},
		{"negative guidance", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.ImageToImage(ctx, getimg.ImageToImage{Prompt: "x", Image: img, Guidance: -1})
			return err
		}, "guidance must not be negative"},
		{"no source image", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.ImageToImage(ctx, getimg.ImageToImage{Prompt: "x"})
			return err
		}, "an input image is required"},
		{"strength above 1", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.ImageToImage(ctx, getimg.ImageToImage{Prompt: "x", Image: img, Strength: 1.5})
			return err
		}, "strength must be between 0 and 1"},
		{"upscale without image", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.Upscale(ctx, getimg.Upscale{})
			return err
		}, "an input image is required"},
		{"upscale factor 5", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.Upscale(ctx, getimg.Upscale{Image: img, Scale: 5})
			return err
		}, "upscale factor must be between 1 and 4"},
		{"face fix without image", func(ctx context.Context, c *getimg.Client) error {
			_, err := c.FaceFix(ctx, getimg.FaceFix{})
			return err
		}, "an input image is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil)
			err := tc.call(t.Context(), h.client)
			pe := asProvider(t, err, provider.BadRequest)
			if pe.Message != tc.msg {
				t.Errorf("Message = %q, want %q", pe.Message, tc.msg)
			}
			if n := len(h.fake.Requests()); n != 0 {
				t.Errorf("requests sent = %d, want 0", n)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     getimg.Config
		wantErr string
	}{
		{"no key", getimg.Config{}, "getimg: APIKey is required"},
		{"bad url", getimg.Config{APIKey: "k", BaseURL: "ftp://x"}, `getimg: BaseURL "ftp://x" is not an http(s) URL`},
		{"no host", getimg.Config{APIKey: "k", BaseURL: "https://"}, `getimg: BaseURL "https://" is not an http(s) URL`},
		{"defaults", getimg.Config{APIKey: "k"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := getimg.New(tc.cfg)
			if tc.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("New(%+v) = %v, %v; want a client", tc.cfg, c, err)
				}
				if s := c.State(); s != provider.StateOK {
					t.Errorf("State() of a new client = %v, want ok", s)
				}
				return
			}
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("New(%s) error = %v, want %q", tc.name, err, tc.wantErr)
			}
		})
	}
}

func TestSharedRegistry(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	fake := getimgtest.New(t)
	for i := range 2 {
		c, err := getimg.New(getimg.Config{APIKey: getimgtest.APIKey, BaseURL: fake.URL(), Registerer: reg})
		if err != nil {
			t.Fatalf("New #%d with a shared registry: %v", i, err)
		}
		if _, err := c.FaceFix(t.Context(), getimg.FaceFix{Image: smallPNG(t)}); err != nil {
			t.Fatal(err)
		}
	}
	h := &harness{reg: reg}
	if n := h.metric(t, "llm_getimg_requests_total", map[string]string{"endpoint": getimg.EndpointFaceFix, "outcome": "ok"}); n != 2 {
		t.Errorf("requests_total shared by two clients = %v, want 2", n)
	}
}

func TestStateRecovers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil)
	h.fake.Push(getimgtest.PathSDXLText, getimgtest.ErrorReply(402, "payment_required", "low"))
	h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", Width: 64, Height: 64})
	if s := h.client.State(); s != provider.StateNoBalance {
		t.Fatalf("State() after 402 = %v, want no_balance", s)
	}
	if _, err := h.client.TextToImage(t.Context(), getimg.TextToImage{Prompt: "x", Width: 64, Height: 64}); err != nil {
		t.Fatal(err)
	}
	if s := h.client.State(); s != provider.StateOK {
		t.Errorf("State() after a success = %v, want ok", s)
	}
}
