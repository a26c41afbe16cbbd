package main

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

// docsChromium is Debian's chromium package, which local/test.sh installs.
const docsChromium = "/usr/bin/chromium"

// TestDocsInBrowser opens /docs in headless Chromium, checks that it lists
// the API with nothing loaded from off the machine, and runs an authorized
// "Try it out" of GET /api/v2/queue/status.
func TestDocsInBrowser(t *testing.T) {
	servicetest.SkipShort(t, "browser: /docs in headless Chromium")
	t.Parallel()
	if _, err := os.Stat(docsChromium); err != nil {
		t.Fatalf("the docs browser test needs headless Chromium at %s (%v): run local/test.sh, which installs Debian's chromium package", docsChromium, err)
	}
	s := startService(t, map[string]string{})
	tok := servicetest.Token(t, "docs-browser")

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(docsChromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1600),
	)
	defer cancelAlloc()
	// Record every request the page makes.
	var mu sync.Mutex
	var requested []string
	ctx, cancelCtx := chromedp.NewContext(alloc, chromedp.WithListener(func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requested = append(requested, e.Request.URL)
			mu.Unlock()
		}
	}))
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second) // a cap; it takes 5–15 s
	defer cancel()

	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	const status = "#operations-queue-queueStatus"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.URL+"/docs"),
		chromedp.WaitVisible(chromedp.CSS(status)),
	); err != nil {
		t.Fatalf("open /docs: %v", err)
	}
	for _, id := range []string{"#operations-text-textCharacter", "#operations-text-textCampaign", "#operations-text-textTheme",
		"#operations-image-imageGenerate", "#operations-image-imageGet", "#operations-queue-queueGet", status} {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("`+id+`").length`))
		if err != nil || n != 1 {
			t.Errorf("/docs does not list %s (found %d, %v)", id, n, err)
		}
	}

	const bearer = `input[aria-label="auth-bearer-value"]`
	err := chromedp.Do(ctx,
		// Authorize with the bearer token.
		chromedp.Click(chromedp.CSS(`.scheme-container button.authorize`)),
		chromedp.SendKeys(chromedp.CSS(bearer), tok),
		chromedp.Click(chromedp.Search(`//input[@aria-label="auth-bearer-value"]/ancestor::form//button[contains(@class,"authorize")]`)),
		chromedp.Click(chromedp.CSS(`.modal-ux button.btn-done`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.modal-ux`)),
		// Try GET /api/v2/queue/status.
		chromedp.Click(chromedp.CSS(status+` .opblock-summary-control`)),
		chromedp.Click(chromedp.CSS(status+` .try-out__btn`)),
		chromedp.Click(chromedp.CSS(status+` button.execute`)),
		chromedp.WaitVisible(chromedp.CSS(status+` .live-responses-table tbody .response-col_status`)),
	)
	if err != nil {
		t.Fatalf("authorize and try GET /api/v2/queue/status: %v", err)
	}
	// The richest operation renders, and the viewer resolved every schema.
	const character = "#operations-text-textCharacter"
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(character+` .opblock-summary-control`)),
		chromedp.WaitVisible(chromedp.CSS(character+` .responses-wrapper`)),
	); err != nil {
		t.Fatalf("expand POST /api/v2/text/character: %v", err)
	}
	if errs, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".errors-wrapper") || {innerText: ""}).innerText`)); err != nil || errs != "" {
		t.Errorf("the viewer reports errors (%v): %s", err, errs)
	}
	statusCode, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(status+` .live-responses-table tbody .response-col_status`)))
	if err != nil {
		t.Fatalf("read the answer's status: %v", err)
	}
	screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(t.TempDir(), "docs.png")
	if err := os.WriteFile(shot, screenshot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of /docs: %s", shot)

	if got := strings.TrimSpace(statusCode); got != "200" {
		t.Errorf("Try it out of GET /api/v2/queue/status shows %q, want 200", got)
	}
	// The request went out with the token: the access log names the caller.
	var line map[string]any
	servicetest.WaitFor(t, 5*time.Second, "the access log line of the tried request", func() bool {
		for _, l := range s.Logs.Lines() {
			if l["msg"] == "request" && l["route"] == "GET /api/v2/queue/status" {
				line = l
				return true
			}
		}
		return false
	})
	if line["caller"] != "docs-browser" || line["status"] != 200.0 {
		t.Errorf("access log of the tried request = %v, want caller docs-browser and status 200", line)
	}

	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(requested, func(u string) bool { return strings.HasSuffix(u, "/openapi.json") }) {
		t.Errorf("the page never fetched /openapi.json; requests: %v", requested)
	}
	for _, raw := range requested {
		u, err := url.Parse(raw)
		if err != nil {
			t.Errorf("unparsable request URL %q", raw)
			continue
		}
		switch u.Scheme {
		case "data", "blob", "about":
			continue
		}
		if u.Hostname() != "127.0.0.1" {
			t.Errorf("the page requested %s, which is not on this machine", raw)
		}
	}
}
