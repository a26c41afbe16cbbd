package getimg_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/getimg"
	"github.com/dndcc/dnd-llm-service/shared/getimg/getimgtest"
	"github.com/dndcc/dnd-llm-service/shared/provider"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// clock is the fixed time the tests inject.
var clock = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is a client wired to a fake, with recorded sleeps, metrics and logs.
type harness struct {
	fake   *getimgtest.Server
	client *getimg.Client
	reg    *prometheus.Registry
	logs   *servicetest.LogSink

	mu     sync.Mutex
	sleeps []time.Duration
}

func newHarness(tb testing.TB, mod func(*getimg.Config)) *harness {
	tb.Helper()
	h := &harness{fake: getimgtest.New(tb), reg: prometheus.NewRegistry(), logs: &servicetest.LogSink{}}
	cfg := getimg.Config{
		APIKey:     getimgtest.APIKey,
		BaseURL:    h.fake.URL(),
		Registerer: h.reg,
		Logger:     slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			h.sleeps = append(h.sleeps, d)
			h.mu.Unlock()
			return ctx.Err()
		},
		Jitter: func(d time.Duration) time.Duration { return d },
		Now:    func() time.Time { return clock },
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := getimg.New(cfg)
	if err != nil {
		tb.Fatalf("getimg.New: %v", err)
	}
	h.client = c
	tb.Cleanup(func() {
		if strings.Contains(h.logs.String(), cfg.APIKey) {
			tb.Errorf("logs contain the API key:\n%s", h.logs)
		}
	})
	return h
}

func (h *harness) slept() []time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]time.Duration(nil), h.sleeps...)
}

// metric returns the value of the counter (or the sample count of the
// histogram) name with exactly labels, 0 when absent.
func (h *harness) metric(tb testing.TB, name string, labels map[string]string) float64 {
	tb.Helper()
	families, err := h.reg.Gather()
	if err != nil {
		tb.Fatalf("Gather: %v", err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if !labelsMatch(m.GetLabel(), labels) {
				continue
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			if hg := m.GetHistogram(); hg != nil {
				return float64(hg.GetSampleCount())
			}
		}
	}
	return 0
}

func labelsMatch(got []*dto.LabelPair, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, l := range got {
		if want[l.GetName()] != l.GetValue() {
			return false
		}
	}
	return true
}

// asProvider fails tb unless err is a getimg *provider.Error of kind.
func asProvider(tb testing.TB, err error, kind provider.Kind) *provider.Error {
	tb.Helper()
	pe, ok := provider.As(err)
	if !ok {
		tb.Fatalf("error = %v (%T), want *provider.Error", err, err)
	}
	if pe.Provider != "getimg" || pe.Kind != kind {
		tb.Fatalf("error = %v, want getimg %v", err, kind)
	}
	return pe
}

// smallPNG is a 64x48 PNG input image.
func smallPNG(tb testing.TB) []byte {
	tb.Helper()
	return getimgtest.EncodePNG(tb, getimgtest.Pattern(64, 48, 7))
}

// decodeConfig reads the format and size of img.
func decodeConfig(tb testing.TB, img []byte) (string, int, int) {
	tb.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		tb.Fatalf("image.DecodeConfig: %v", err)
	}
	return format, cfg.Width, cfg.Height
}

// wireGolden renders a recorded request body as indented JSON with the
// image replaced by a placeholder (after checking it is the standard base64
// of wantImage), and compares it with testdata/name.golden (rewritten with
// -update).
func wireGolden(tb testing.TB, name string, body map[string]any, wantImage []byte) {
	tb.Helper()
	shown := map[string]any{}
	for k, v := range body {
		shown[k] = v
	}
	if s, ok := body["image"].(string); ok {
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			tb.Fatalf("image field is not standard base64: %v", err)
		}
		if !bytes.Equal(raw, wantImage) {
			tb.Errorf("image field decodes to %d bytes, want the %d input bytes", len(raw), len(wantImage))
		}
		shown["image"] = "<base64 image>"
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(shown); err != nil {
		tb.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("request body for %s differs from %s:\nwant:\n%s\ngot:\n%s", name, path, want, got)
	}
}

// waitFor waits for cond with a generous deadline.
func waitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	servicetest.WaitFor(tb, 10*time.Second, what, cond)
}
