package main

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
	"github.com/dndcc/dnd-llm-service/shared/redistest"
)

// TestSmoke runs every row in smoke mode (a few hundred requests) so the
// load command cannot rot. It asserts no timing: only that each row
// completes without errors, that de-duplication makes exactly one provider
// call and that the limiter admits exactly its limit.
func TestSmoke(t *testing.T) {
	servicetest.SkipShort(t, "builds the service and runs it")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	o, err := parseOptions([]string{"-smoke", "-redis", redistest.URL()}, io.Discard)
	if err != nil {
		t.Fatalf("parseOptions: %v", err)
	}
	var log bytes.Buffer
	o.Log = &log
	rep, err := measure(ctx, o)
	if err != nil {
		t.Fatalf("measure: %v\n%s", err, log.String())
	}
	var out bytes.Buffer
	rep.write(&out)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("report:\n%s\nlog:\n%s", out.String(), log.String())
		}
	})

	if f := rep.failures(); len(f) > 0 {
		t.Errorf("failures() = %q, want none", f)
	}
	missing := map[string]bool{
		"row 1": rep.overhead == nil, "round trips": rep.rt == nil, "row 2": rep.queue == nil, "row 3": rep.cache == nil,
		"row 4": rep.dedup == nil, "row 5": rep.limiter == nil, "row 6": rep.cold == nil, "row 7": rep.idle == nil,
		"row 8": rep.slow == nil,
	}
	for row, gone := range missing {
		if gone {
			t.Errorf("%s has no result", row)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	if got := rep.dedup.ProviderCalls; got != 1 {
		t.Errorf("row 4: %d identical requests made %d provider calls, want 1", rep.dedup.Burst.Requests, got)
	}
	want := map[int]int{http.StatusOK: burstLimit, http.StatusTooManyRequests: burstRequests - burstLimit}
	if diff := cmp.Diff(want, rep.limiter.Binary.Status); diff != "" {
		t.Errorf("row 5: statuses of the burst across %d processes (-want +got):\n%s", burstProcesses, diff)
	}
	if diff := cmp.Diff(want, rep.limiter.Library.Status); diff != "" {
		t.Errorf("row 5: decisions of the burst on the library (-want +got):\n%s", diff)
	}
	if rep.rt.Writes <= 0 {
		t.Errorf("round trips per job = %v, want > 0", rep.rt.Writes)
	}
	for _, c := range append(append([]cell{}, rep.overhead.Service...), rep.cache.Cells...) {
		if c.Requests == 0 {
			t.Errorf("a cell at %d clients measured no request", c.Clients)
		}
	}
	if got, want := len(rep.slow.Levels), len(o.Clients); got != want || rep.slow.Defaults == nil {
		t.Fatalf("row 8: %d levels (defaults measured: %v), want %d and the defaults", got, rep.slow.Defaults != nil, want)
	}
	for _, c := range rep.slow.Cells() {
		if c.Setup == "direct" {
			continue
		}
		if c.PeakGoroutines <= 0 || c.PeakRSS <= 0 || c.RedisCmds <= 0 || c.RedisTrips <= 0 {
			t.Errorf("row 8 %s at %d clients: peak goroutines %d, peak RSS %d, Redis commands %.1f and round trips %.1f per job; want all > 0",
				c.Setup, c.Clients, c.PeakGoroutines, c.PeakRSS, c.RedisCmds, c.RedisTrips)
		}
	}
}

func TestParseLatency(t *testing.T) {
	tests := []struct {
		in      string
		want    latency
		wantErr bool
	}{
		{in: "5s", want: latency{P50: 5 * time.Second, P99: 5 * time.Second}},
		{in: "p50=5s,p99=12s", want: latency{P50: 5 * time.Second, P99: 12 * time.Second}},
		{in: " p99=2s, p50=1s ", want: latency{P50: time.Second, P99: 2 * time.Second}},
		{in: "p50=5s", wantErr: true},
		{in: "p50=5s,p99=1s", wantErr: true},
		{in: "p50=5s,p90=8s", wantErr: true},
		{in: "p50=-1s,p99=2s", wantErr: true},
		{in: "fast", wantErr: true},
	}
	for _, tc := range tests {
		got, err := parseLatency(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("parseLatency(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

// TestLatencySampler checks the lognormal's quantiles on a large seeded
// sample, and that the same seed draws the same sequence.
func TestLatencySampler(t *testing.T) {
	l := latency{P50: 5 * time.Second, P99: 12 * time.Second}
	s := newLatencySampler(l, latencySeed)
	lat := make([]time.Duration, 200_000)
	var sum time.Duration
	for i := range lat {
		lat[i] = s.next()
		sum += lat[i]
	}
	near := func(got, want time.Duration) bool {
		return math.Abs(float64(got-want)) <= 0.03*float64(want)
	}
	mean := sum / time.Duration(len(lat))
	if !near(mean, l.Mean()) {
		t.Errorf("mean of %d draws = %v, want %v ± 3 %%", len(lat), mean, l.Mean())
	}
	for _, q := range []struct {
		p    float64
		want time.Duration
	}{{0.5, l.P50}, {0.99, l.P99}} {
		if got := percentile(lat, q.p); !near(got, q.want) {
			t.Errorf("quantile %v of %d draws = %v, want %v ± 3 %%", q.p, len(lat), got, q.want)
		}
	}
	a, b := newLatencySampler(l, latencySeed), newLatencySampler(l, latencySeed)
	for i := range 100 {
		if x, y := a.next(), b.next(); x != y {
			t.Fatalf("draw %d: %v and %v from the same seed", i, x, y)
		}
	}
	fixed := newLatencySampler(fixedLatency(20*time.Millisecond), latencySeed)
	if got := fixed.next(); got != 20*time.Millisecond {
		t.Errorf("fixed 20ms: next() = %v", got)
	}
}

func TestGauges(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\n"+
			"go_goroutines 1234\ngo_memstats_heap_inuse_bytes 5.5e+07\nllm_jobs{queue=\"text\"} 3\ngo_threads 9\n")
	}))
	defer srv.Close()
	got, err := gauges(context.Background(), srv.Client(), srv.URL, "go_goroutines", "go_memstats_heap_inuse_bytes")
	want := map[string]float64{"go_goroutines": 1234, "go_memstats_heap_inuse_bytes": 55e6}
	if err != nil || !cmp.Equal(got, want) {
		t.Errorf("gauges() = %v, %v; want %v", got, err, want)
	}
	if _, err := gauges(context.Background(), srv.Client(), srv.URL, "go_goroutines", "go_memstats_stack_inuse_bytes"); err == nil {
		t.Errorf("gauges() with a missing series: no error")
	}
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		rows    []int
		wantErr bool
	}{
		{name: "defaults", args: nil, rows: allRows},
		{name: "some rows", args: []string{"-rows", "3, 1,3"}, rows: []int{3, 1}},
		{name: "unknown row", args: []string{"-rows", "9"}, wantErr: true},
		{name: "row 8 settings", args: []string{"-rows", "8", "-latency", "p50=5s,p99=12s", "-clients", "100,500"}, rows: []int{8}},
		{name: "bad latency", args: []string{"-latency", "p50=5s"}, wantErr: true},
		{name: "bad clients", args: []string{"-clients", "100,0"}, wantErr: true},
		{name: "bad env", args: []string{"-env", "NOEQUALS"}, wantErr: true},
		{name: "stray argument", args: []string{"extra"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseOptions(tc.args, io.Discard)
			if (err != nil) != tc.wantErr {
				t.Fatalf("parseOptions(%q) error = %v, want error %v", tc.args, err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.rows, o.Rows); diff != "" {
				t.Errorf("parseOptions(%q).Rows (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

func TestParseCommand(t *testing.T) {
	tests := []struct {
		name string
		in   string
		args []string
		used int
		ok   bool
	}{
		{name: "whole", in: "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", args: []string{"GET", "k"}, used: 20, ok: true},
		{name: "pipelined", in: "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", args: []string{"PING"}, used: 14, ok: true},
		{name: "partial", in: "*2\r\n$3\r\nGET\r\n$1\r\n", ok: false},
		{name: "not an array", in: "+OK\r\n", ok: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args, used, ok := parseCommand([]byte(tc.in))
			if ok != tc.ok || used != tc.used || !cmp.Equal(args, tc.args) {
				t.Errorf("parseCommand(%q) = %q, %d, %v; want %q, %d, %v", tc.in, args, used, ok, tc.args, tc.used, tc.ok)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(101-i)*time.Millisecond)
	}
	for _, tc := range []struct {
		p    float64
		want time.Duration
	}{{0.5, 50 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		if got := percentile(lat, tc.p); got != tc.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("percentile(nil, 0.5) = %v, want 0", got)
	}
}
