// Command dnd-llm-service is the D&D Character Creator's gateway to
// generative AI. The one binary serves every endpoint group over HTTP, or
// one group per AWS Lambda function.
//
// Usage:
//
//	dnd-llm-service                 serve (HTTP, or Lambda when AWS_LAMBDA_RUNTIME_API is set)
//	dnd-llm-service worker          run queue workers only (FUNCTION=worker)
//	dnd-llm-service healthcheck [live|ready|health]
//	                                GET /livez, /readyz or /health (default) on 127.0.0.1:$PORT; exit 0 when it answers 200
//	dnd-llm-service token --sub NAME [--scope "a b"] [--ttl 1h]
//	dnd-llm-service hub parked list [--outbox O] [--status N] [--limit N] [--cursor C] [--json]
//	dnd-llm-service hub parked redeliver --all | --id EVENT_ID... | --status N | --outbox O
//	dnd-llm-service jobs list [--status S] [--queue Q] [--kind K] [--owner O] [--limit N] [--cursor C] [--json]
//	dnd-llm-service jobs show JOB_ID...
//	dnd-llm-service jobs retry [--json] JOB_ID...
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/shared/auth"
	"github.com/dndcc/dnd-llm-service/shared/config"
	"github.com/dndcc/dnd-llm-service/shared/hub"
	"github.com/dndcc/dnd-llm-service/shared/queue"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.As(err, new(logged)) {
			fmt.Fprintln(os.Stderr, "dnd-llm-service:", err)
		}
		os.Exit(1)
	}
}

// logged is an error already written to the log as a JSON line.
type logged struct{ error }

func (e logged) Unwrap() error { return e.error }

// serveLogged runs the service; an error that ends it (a bad setting, a port in
// use) is logged as a JSON line like every other line of the service.
func serveLogged(ctx context.Context, getenv func(string) string, stderr io.Writer, function string) error {
	err := app.Serve(ctx, getenv, stderr, function, version)
	if err == nil {
		return nil
	}
	slog.New(slog.NewJSONHandler(stderr, nil)).Error("exit", "error", err.Error())
	return logged{err}
}

// run is the program: it parses the command line and the environment and
// runs the chosen command until ctx ends.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := ""
	if len(args) > 1 {
		cmd = args[1]
	}
	switch cmd {
	case "", "serve":
		return serveLogged(ctx, getenv, stderr, "")
	case "worker":
		return serveLogged(ctx, getenv, stderr, config.FunctionWorker)
	case "healthcheck":
		return healthcheck(ctx, args[2:], getenv, stdout)
	case "token":
		return mintToken(args[2:], getenv, stdout, stderr)
	case "hub":
		return hubCommand(ctx, args[2:], getenv, stdout, stderr)
	case "jobs":
		return jobsCommand(ctx, args[2:], getenv, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usageText)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usageText)
}

const usageText = `usage:
  dnd-llm-service                 serve (HTTP, or AWS Lambda when AWS_LAMBDA_RUNTIME_API is set)
  dnd-llm-service worker          run queue workers only
  dnd-llm-service healthcheck [live|ready|health]
                                  check /livez, /readyz or /health (default) on 127.0.0.1:$PORT
  dnd-llm-service token --sub NAME [--scope "a b"] [--ttl 1h]
  dnd-llm-service hub parked list [--outbox O] [--status N] [--limit N] [--cursor C] [--json]
  dnd-llm-service hub parked redeliver --all | --id EVENT_ID [--id ...] | --status N | --outbox O
                                  the events the Message Hub refused, in REDIS_URL
  dnd-llm-service jobs list [--status failed|canceled|succeeded|queued|running] [--queue Q]
                            [--kind K] [--owner O] [--limit N] [--cursor C] [--json]
  dnd-llm-service jobs show JOB_ID...           (as JSON)
  dnd-llm-service jobs retry [--json] JOB_ID...
                                  find jobs, and run failed or canceled ones again as new jobs, in REDIS_URL
`

// probes are the paths the healthcheck command checks, by name.
var probes = map[string]string{"live": "/livez", "ready": "/readyz", "health": "/health"}

func healthcheck(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	probe := "health"
	if len(args) > 0 {
		probe = args[0]
	}
	path, ok := probes[probe]
	if !ok || len(args) > 1 {
		return fmt.Errorf("healthcheck: the probe must be one of live, ready, health")
	}
	port := getenv("PORT")
	if port == "" {
		port = "8000"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+path, nil)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	fmt.Fprintln(stdout, strings.TrimSpace(string(body)))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthcheck: %s answered %d", path, resp.StatusCode)
	}
	return nil
}

func mintToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "the caller's name (JWT sub), required")
	scope := fs.String("scope", "", `space-separated scopes, e.g. "admin"`)
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sub == "" {
		return errors.New("token: --sub is required")
	}
	if *ttl <= 0 {
		return errors.New("token: --ttl must be positive")
	}
	key := getenv("SECRET_KEY")
	if len(key) < config.MinSecretKeyLen {
		return fmt.Errorf("token: SECRET_KEY must be set to the service's key (at least %d characters)", config.MinSecretKeyLen)
	}
	tok, err := auth.Mint(key, *sub, strings.Fields(*scope), *ttl, time.Now(), getenv("JWT_ISSUER"), getenv("JWT_AUDIENCE"))
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// hubCommand parses `hub parked list|redeliver` and runs it on REDIS_URL.
func hubCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 || args[0] != "parked" || (args[1] != "list" && args[1] != "redeliver") {
		return fmt.Errorf("hub: want `hub parked list` or `hub parked redeliver`\n%s", usageText)
	}
	fs := flag.NewFlagSet("hub parked "+args[1], flag.ContinueOnError)
	fs.SetOutput(stderr)
	outbox := fs.String("outbox", "", "only this outbox: text, image or service")
	status := fs.Int("status", 0, "only the events the hub refused with this 4xx status")
	var cmd app.ParkedCommand
	if args[1] == "list" {
		q := &hub.ParkedQuery{}
		fs.IntVar(&q.Limit, "limit", hub.DefaultParkedLimit, "page size, at most "+strconv.Itoa(hub.MaxParkedLimit))
		fs.StringVar(&q.Cursor, "cursor", "", "the next page, as the previous one printed it")
		fs.BoolVar(&cmd.JSON, "json", false, "print the page as JSON")
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		q.Outbox, q.Status = *outbox, *status
		cmd.List = q
	} else {
		r := &hub.RedeliverRequest{}
		fs.BoolVar(&r.All, "all", false, "every parked event (of --outbox)")
		fs.Func("id", "an event id to re-send; repeat for more", func(v string) error { r.IDs = append(r.IDs, v); return nil })
		if err := fs.Parse(args[2:]); err != nil {
			return err
		}
		r.Outbox, r.Status = *outbox, *status
		cmd.Redeliver = r
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("hub parked %s: unexpected arguments %q", args[1], fs.Args())
	}
	return app.RunParked(ctx, getenv, cmd, stdout)
}

// jobsCommand parses `jobs list|show|retry` and runs it on REDIS_URL.
func jobsCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 1 || !slices.Contains([]string{"list", "show", "retry"}, args[0]) {
		return fmt.Errorf("jobs: want `jobs list`, `jobs show JOB_ID...` or `jobs retry JOB_ID...`\n%s", usageText)
	}
	fs := flag.NewFlagSet("jobs "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cmd app.JobsCommand
	fs.BoolVar(&cmd.JSON, "json", false, "print JSON, as the admin routes answer")
	var lq queue.ListQuery
	if args[0] == "list" {
		fs.Func("status", "failed (default), canceled, succeeded, queued or running", func(v string) error { lq.Status = queue.Status(v); return nil })
		fs.StringVar(&lq.Queue, "queue", "", "only this queue: text or image")
		fs.StringVar(&lq.Kind, "kind", "", "only this job kind, e.g. text.character")
		fs.StringVar(&lq.Owner, "owner", "", "only the jobs of this caller (token sub)")
		fs.IntVar(&lq.Limit, "limit", queue.DefaultListLimit, "page size, at most "+strconv.Itoa(queue.MaxListLimit))
		fs.StringVar(&lq.Cursor, "cursor", "", "the next page, as the previous one printed it")
	}
	// flags may come before, between or after the ids
	var ids []string
	for rest := args[1:]; ; rest = fs.Args()[1:] {
		if err := fs.Parse(rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
	}
	switch args[0] {
	case "list":
		if len(ids) > 0 {
			return fmt.Errorf("jobs list: unexpected arguments %q", ids)
		}
		cmd.List = &lq
	case "show":
		cmd.Show = append([]string{}, ids...)
	case "retry":
		cmd.Retry = append([]string{}, ids...)
	}
	return app.RunJobs(ctx, getenv, cmd, stdout)
}
