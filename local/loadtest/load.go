package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// newHTTPClient is the one client every row uses, for the service and for
// the direct provider calls alike: keep-alive, enough idle connections for
// the widest burst, no compression.
func newHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        4096,
			MaxIdleConnsPerHost: 4096,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// answer is what a request got back.
type answer struct {
	Status int
	Header http.Header
}

// post sends body to url and reads the whole answer.
func post(ctx context.Context, hc *http.Client, url string, body []byte, hdr http.Header) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	return do(hc, req)
}

// get fetches url and reads the whole answer.
func get(ctx context.Context, hc *http.Client, url string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return answer{}, err
	}
	return do(hc, req)
}

func do(hc *http.Client, req *http.Request) (answer, error) {
	resp, err := hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return answer{}, fmt.Errorf("read answer: %w", err)
	}
	return answer{Status: resp.StatusCode, Header: resp.Header}, nil
}

// call makes request number n of a cell and says whether it is a success.
type call func(ctx context.Context, n int64) (ok bool, status int, err error)

// cell is one measured configuration: a number of closed-loop clients
// running one kind of request.
type cell struct {
	Clients  int
	Requests int // successful requests measured
	Errors   int // transport errors and unexpected answers
	Status5x int
	FirstErr string
	Elapsed  time.Duration
	P50, P99 time.Duration
	CPU      cpuUse
	// ProviderConns is how many connections the fake provider accepted
	// while the cell was measured: a client that reuses its connections
	// opens none.
	ProviderConns int64
	lat           []time.Duration
}

// Throughput is successful requests per second.
func (c cell) Throughput() float64 {
	if c.Elapsed <= 0 {
		return 0
	}
	return float64(c.Requests) / c.Elapsed.Seconds()
}

// drive runs clients closed loops of fn: first warm requests per client
// unmeasured (connections, caches), then until dur has passed or maxReq
// requests were sent, whichever comes first.
func drive(ctx context.Context, clients int, dur time.Duration, maxReq, warm int, fn call) cell {
	c := cell{Clients: clients}
	var seq atomic.Int64
	loop := func(limit int64, until time.Time, record bool) {
		var wg sync.WaitGroup
		var mu sync.Mutex
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var lat []time.Duration
				var errs, s5 int
				var first string
				for ctx.Err() == nil && time.Now().Before(until) {
					n := seq.Add(1)
					if n > limit {
						break
					}
					t0 := time.Now()
					ok, status, err := fn(ctx, n)
					d := time.Since(t0)
					switch {
					case ok:
						lat = append(lat, d)
					default:
						errs++
						if status >= 500 {
							s5++
						}
						if first == "" {
							first = describe(status, err)
						}
					}
				}
				if !record {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				c.lat = append(c.lat, lat...)
				c.Errors += errs
				c.Status5x += s5
				if c.FirstErr == "" {
					c.FirstErr = first
				}
			}()
		}
		wg.Wait()
	}
	if warm > 0 {
		loop(int64(clients*warm), time.Now().Add(max(dur, 2*time.Second)), false)
	}
	start := time.Now()
	loop(seq.Load()+int64(maxReq), start.Add(dur), true)
	c.Elapsed = time.Since(start)
	c.Requests = len(c.lat)
	c.P50 = percentile(c.lat, 0.50)
	c.P99 = percentile(c.lat, 0.99)
	return c
}

func describe(status int, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("status %d", status)
}

// percentile returns the nearest-rank p-quantile of lat (which it sorts).
func percentile(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	slices.Sort(lat)
	i := int(math.Ceil(p*float64(len(lat)))) - 1
	return lat[min(max(i, 0), len(lat)-1)]
}
