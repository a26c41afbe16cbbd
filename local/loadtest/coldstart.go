package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// coldRow is row 6.
type coldRow struct {
	Runs                int
	Median, Min, Max    time.Duration // emulator process start to the first answered invoke
	InvokeMedian        time.Duration // the first accepted invoke request to its answer
	Flags               string        // how the measured binary was built
	HostSize            int64         // that binary's size
	ArmSize             int64         // stripped linux/arm64 with -tags lambda.norpc; 0 when skipped
	ArmFlags            string
	ArmSkipped          string
	EmulatorStartMedian time.Duration // emulator process start to its first accepted connection
}

const rieModule = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// lambdaFlags are the build flags of the Lambda binary (SAM's and the
// Makefile's).
var lambdaFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-ldflags", "-s -w"}

func (h *harness) rowColdStart(ctx context.Context) (coldRow, error) {
	r := coldRow{Runs: h.opts.ColdStarts}
	dir := filepath.Join(h.tmp, "lambda")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return r, err
	}
	rie, boot := filepath.Join(dir, "aws-lambda-rie"), filepath.Join(dir, "bootstrap")
	fmt.Fprintln(h.opts.Log, "loadtest: row 6, building the emulator and the Lambda binary")
	if err := goBuild(ctx, h.root, nil, "-o", rie, rieModule); err != nil {
		return r, err
	}
	flags := lambdaFlags
	env := []string{"CGO_ENABLED=0"}
	if h.opts.Smoke {
		// The smoke run keeps the build cache warm: -trimpath would
		// recompile every package.
		flags, env = []string{"-tags", "lambda.norpc"}, nil
	}
	r.Flags = strings.Join(quoteFlags(flags), " ")
	if err := goBuild(ctx, h.root, env, append(append([]string{}, flags...), "-o", boot, ".")...); err != nil {
		return r, err
	}
	if fi, err := os.Stat(boot); err == nil {
		r.HostSize = fi.Size()
	}
	if h.opts.Smoke {
		r.ArmSkipped = "skipped in smoke mode (a cross build compiles everything)"
	} else {
		fmt.Fprintln(h.opts.Log, "loadtest: row 6, building linux/arm64")
		arm := filepath.Join(dir, "bootstrap-arm64")
		armEnv := []string{"GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0"}
		r.ArmFlags = strings.Join(armEnv, " ") + " go build " + strings.Join(quoteFlags(lambdaFlags), " ")
		if err := goBuild(ctx, h.root, armEnv, append(append([]string{}, lambdaFlags...), "-o", arm, ".")...); err != nil {
			return r, err
		}
		fi, err := os.Stat(arm)
		if err != nil {
			return r, err
		}
		r.ArmSize = fi.Size()
	}

	event, err := os.ReadFile(filepath.Join(h.root, "local", "events", "health.json"))
	if err != nil {
		return r, err
	}
	secret, err := localSecret(h.root)
	if err != nil {
		return r, err
	}
	env = []string{
		"SECRET_KEY=" + secret, "REDIS_URL=" + h.redisURL, "REDIS_KEY_PREFIX=" + h.prefix,
		"FUNCTION=queue", "LOG_LEVEL=ERROR", "MESSAGE_HUB_URL=off",
	}
	var total, invoke, listen []time.Duration
	for i := range r.Runs {
		t, inv, lis, err := h.coldStart(ctx, rie, boot, env, event)
		if err != nil {
			return r, fmt.Errorf("cold start %d: %w", i+1, err)
		}
		total, invoke, listen = append(total, t), append(invoke, inv), append(listen, lis)
	}
	slices.Sort(total)
	r.Median, r.Min, r.Max = medianOf(total), total[0], total[len(total)-1]
	r.InvokeMedian = medianOf(invoke)
	r.EmulatorStartMedian = medianOf(listen)
	return r, nil
}

func quoteFlags(flags []string) []string {
	out := make([]string, len(flags))
	for i, f := range flags {
		if strings.ContainsRune(f, ' ') {
			f = strconv.Quote(f)
		}
		out[i] = f
	}
	return out
}

func medianOf(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// localSecret is SECRET_KEY of local/env.json, the sam local settings.
func localSecret(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "local", "env.json"))
	if err != nil {
		return "", err
	}
	var f struct {
		Parameters map[string]string `json:"Parameters"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return "", fmt.Errorf("local/env.json: %w", err)
	}
	if f.Parameters["SECRET_KEY"] == "" {
		return "", fmt.Errorf("local/env.json: no SECRET_KEY")
	}
	return f.Parameters["SECRET_KEY"], nil
}

// coldStart starts the emulator with the binary and posts the event until
// an invoke is answered. It returns process start to answer, the answered
// invoke's own time, and process start to the emulator's first accepted
// request.
func (h *harness) coldStart(ctx context.Context, rie, boot string, env []string, event []byte) (total, invoke, listen time.Duration, err error) {
	apiPort, err := freePort()
	if err != nil {
		return 0, 0, 0, err
	}
	port, err := freePort()
	if err != nil {
		return 0, 0, 0, err
	}
	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/2015-03-31/functions/function/invocations"
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	p, err := startProc("aws-lambda-rie", rie, []string{
		"--runtime-api-address", "127.0.0.1:" + strconv.Itoa(apiPort),
		"--runtime-interface-emulator-address", "127.0.0.1:" + strconv.Itoa(port),
		boot,
	}, env)
	if err != nil {
		return 0, 0, 0, err
	}
	defer p.kill()
	deadline := start.Add(30 * time.Second)
	for {
		sent := time.Now()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(event))
		if err != nil {
			return 0, 0, 0, err
		}
		resp, err := hc.Do(req)
		if err == nil {
			body, rerr := io.ReadAll(resp.Body)
			resp.Body.Close()
			done := time.Now()
			if rerr != nil {
				return 0, 0, 0, rerr
			}
			if err := checkInvoke(resp.StatusCode, body); err != nil {
				return 0, 0, 0, fmt.Errorf("%w\n%s", err, tail(p.Output(), 2000))
			}
			return done.Sub(start), done.Sub(sent), sent.Sub(start), nil
		}
		select {
		case <-p.exited:
			return 0, 0, 0, fmt.Errorf("emulator exited: %v\n%s", p.err, tail(p.Output(), 2000))
		case <-ctx.Done():
			return 0, 0, 0, ctx.Err()
		default:
		}
		if time.Now().After(deadline) {
			return 0, 0, 0, fmt.Errorf("no answer within 30s: %v\n%s", err, tail(p.Output(), 2000))
		}
		time.Sleep(200 * time.Microsecond)
	}
}

// checkInvoke accepts an emulator answer holding a 200 HTTP API response;
// a failed invocation still answers 200, with errorMessage in the body.
func checkInvoke(status int, body []byte) error {
	if status != http.StatusOK {
		return fmt.Errorf("emulator answered %d: %s", status, tail(string(body), 500))
	}
	var a struct {
		StatusCode   int    `json:"statusCode"`
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return fmt.Errorf("invoke answer is not JSON: %s", tail(string(body), 500))
	}
	if a.ErrorMessage != "" || a.ErrorType != "" {
		return fmt.Errorf("invocation failed: %s: %s", a.ErrorType, a.ErrorMessage)
	}
	if a.StatusCode != http.StatusOK {
		return fmt.Errorf("GET /health answered %d under the emulator: %s", a.StatusCode, tail(string(body), 500))
	}
	return nil
}
