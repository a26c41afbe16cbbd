package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
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
		{name: "unknown row", args: []string{"-rows", "8"}, wantErr: true},
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
