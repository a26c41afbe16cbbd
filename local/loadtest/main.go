// Command loadtest measures the service side by side with what it is
// compared against, in one run, and prints a Markdown table:
//
//  1. the full sync text path against calling the same fake provider directly;
//  2. the job queue alone against hibiken/asynq on the same Redis;
//  3. the cache-hit path;
//  4. de-duplication of identical concurrent requests;
//  5. limiter exactness across three service processes;
//  6. cold start under the AWS Lambda Runtime Interface Emulator, and the
//     stripped linux/arm64 binary size;
//  7. resident memory idle and under row 1's heaviest load;
//  8. the sync text path when the provider is slow (-latency, 5 s by
//     default): hundreds to a thousand clients, each level against calling
//     the fake directly, with the service's default settings too;
//
// plus the Redis commands each sync job costs.
//
// It starts what it needs itself: it builds the service binary, runs a
// fake OpenAI in-process (answering at once, or after a latency drawn
// from a seeded distribution), starts service processes on free
// ports and uses the Redis named by -redis under a key prefix of its own,
// which it deletes at the end.
//
//	go run ./local/loadtest            # full run, about two minutes
//	go run ./local/loadtest -smoke     # a few hundred requests
//	go run ./local/loadtest -rows 1,3 -duration 10s
//	go run ./local/loadtest -rows 8 -latency p50=5s,p99=12s -clients 100,500
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	Smoke       bool
	Duration    time.Duration // per measured cell of rows 1 and 3
	Rows        []int
	RedisURL    string
	Bin         string        // a prebuilt service binary; built when empty
	Env         []string      // extra KEY=VALUE settings for every service process
	QueueJobs   int           // row 2: jobs per system
	Workers     int           // row 2: workers per system
	Dedup       int           // row 4: concurrent identical requests
	ColdStarts  int           // row 6: runs
	RoundTrips  int           // sync jobs in the round-trip count
	MaxPerCell  int           // request cap per measured cell
	Latency     latency       // row 8: the fake provider's latency
	Clients     []int         // row 8: concurrent clients per level
	Window      time.Duration // row 8: measured steady state per cell
	RedisDirect bool          // row 8: no counting proxy between the service and Redis
	Log         io.Writer
}

// allRows are the rows of the issue, in order.
var allRows = []int{1, 2, 3, 4, 5, 6, 7, 8}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	smoke := fs.Bool("smoke", false, "short mode: a few hundred requests, fails on any error")
	dur := fs.Duration("duration", 0, "measuring time per cell of rows 1 and 3 (default 5s, smoke 1s)")
	rows := fs.String("rows", "1,2,3,4,5,6,7,8", "comma-separated rows to run")
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/14", "Redis URL; keys go under a prefix of this run's own")
	bin := fs.String("bin", "", "use this service binary instead of building one")
	var env multiFlag
	fs.Var(&env, "env", "extra KEY=VALUE for the service processes (repeatable)")
	jobs := fs.Int("queue-jobs", 0, "row 2: jobs per system (default 20000, smoke 500)")
	workers := fs.Int("workers", 8, "row 2: workers per system")
	dedup := fs.Int("dedup", 0, "row 4: concurrent identical requests (default 1000, smoke 200)")
	cold := fs.Int("cold-starts", 0, "row 6: cold starts measured (default 20, smoke 3)")
	lat := fs.String("latency", "", "row 8: provider latency, fixed (5s) or lognormal (p50=5s,p99=12s) (default 5s, smoke 20ms)")
	clients := fs.String("clients", "", "row 8: comma-separated client counts (default 100,500,1000, smoke 4,16)")
	window := fs.Duration("window", 0, "row 8: measured steady state per cell, after a ramp of one median latency (default 25s, smoke 300ms)")
	direct := fs.Bool("redis-direct", false, "row 8: connect the service straight to Redis, not through the counting proxy (no commands per job)")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	o := options{
		Smoke: *smoke, Duration: *dur, RedisURL: *redisURL, Bin: *bin, Env: env,
		QueueJobs: *jobs, Workers: *workers, Dedup: *dedup, ColdStarts: *cold, Window: *window, RedisDirect: *direct, Log: stderr,
	}
	for _, f := range strings.Split(*rows, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || !slices.Contains(allRows, n) {
			return options{}, fmt.Errorf("-rows: %q is not a row (1-8)", f)
		}
		if !slices.Contains(o.Rows, n) {
			o.Rows = append(o.Rows, n)
		}
	}
	if *lat != "" {
		l, err := parseLatency(*lat)
		if err != nil {
			return options{}, fmt.Errorf("-latency: %w", err)
		}
		if l.P50 <= 0 {
			return options{}, errors.New("-latency must be positive")
		}
		o.Latency = l
	}
	if *clients != "" {
		for _, f := range strings.Split(*clients, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n <= 0 {
				return options{}, fmt.Errorf("-clients: %q is not a positive number", f)
			}
			o.Clients = append(o.Clients, n)
		}
	}
	for _, kv := range o.Env {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return options{}, fmt.Errorf("-env: %q is not KEY=VALUE", kv)
		}
	}
	if o.Workers <= 0 {
		return options{}, errors.New("-workers must be positive")
	}
	o.defaults()
	return o, nil
}

// defaults fills the zero values with the full or smoke sizes.
func (o *options) defaults() {
	pick := func(v *int, full, smoke int) {
		if *v > 0 {
			return
		}
		*v = full
		if o.Smoke {
			*v = smoke
		}
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
		if o.Smoke {
			o.Duration = time.Second
		}
	}
	pick(&o.QueueJobs, 20000, 500)
	pick(&o.Dedup, 1000, 200)
	pick(&o.ColdStarts, 20, 3)
	pick(&o.RoundTrips, 200, 20)
	pick(&o.MaxPerCell, 10_000_000, 40)
	if o.Latency.P50 <= 0 {
		o.Latency = fixedLatency(5 * time.Second)
		if o.Smoke {
			o.Latency = fixedLatency(20 * time.Millisecond)
		}
	}
	if len(o.Clients) == 0 {
		o.Clients = []int{100, 500, 1000}
		if o.Smoke {
			o.Clients = []int{4, 16}
		}
	}
	if o.Window <= 0 {
		// The ramp and the window outlast the service's 25 s sync wait,
		// so requests it answers 202 are counted.
		o.Window = 25 * time.Second
		if o.Smoke {
			o.Window = 300 * time.Millisecond
		}
	}
	if o.Workers <= 0 {
		o.Workers = 8
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if len(o.Rows) == 0 {
		o.Rows = allRows
	}
}

func (o options) runs(row int) bool { return slices.Contains(o.Rows, row) }

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// run measures the rows and prints the report. In smoke mode any error,
// 5xx or unexpected status makes it fail.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	rep, err := measure(ctx, o)
	if rep != nil {
		rep.write(stdout)
	}
	if err != nil {
		return err
	}
	if problems := rep.failures(); len(problems) > 0 {
		return fmt.Errorf("%d rows did not complete cleanly: %s", len(problems), strings.Join(problems, "; "))
	}
	return nil
}
