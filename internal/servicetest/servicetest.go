// Package servicetest is what the service's tests share: an HTTP client
// for calling the service (Send, Do), waiting on a condition (WaitFor), a
// sink for the service's JSON log lines (LogSink), bearer tokens signed with
// the test key (TestKey, Token), skipping the long suites under -short
// (SkipShort), and fixtures (PNGHeaderB64, DiffSorted).
//
// It imports nothing of the service but shared/auth, so the tests of every
// package can use it, the internal tests of the packages the app is built
// from included. The app itself is built for tests by app/apptest; each
// test's Redis comes from shared/redistest.
package servicetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
)

// TestKey is a SECRET_KEY of the required length, for tests only.
const TestKey = "test-secret-key-0123456789-0123456789-0123456789-0123456789-abcdef"

// Token mints a bearer token for sub with scopes, signed with TestKey and
// valid for an hour.
func Token(tb testing.TB, sub string, scopes ...string) string {
	tb.Helper()
	tok, err := auth.Mint(TestKey, sub, scopes, time.Hour, time.Now(), "", "")
	if err != nil {
		tb.Fatalf("auth.Mint(%q): %v", sub, err)
	}
	return tok
}

// WaitFor polls cond until it holds, failing the test when it does not
// within d. It polls at once, then at growing intervals of up to 20 ms.
func WaitFor(tb testing.TB, d time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	pause := time.Millisecond
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("waited %v for %s", d, what)
		}
		time.Sleep(pause)
		pause = min(2*pause, 20*time.Millisecond)
	}
}

// SkipShort skips the test under go test -short; what says what it does
// that the quick loop leaves out.
func SkipShort(tb testing.TB, what string) {
	tb.Helper()
	if testing.Short() {
		tb.Skipf("%s; skipped with -short", what)
	}
}

// DiffSorted returns "" when a and b hold the same strings, in any order,
// and "a != b" with both sorted otherwise.
func DiffSorted(a, b []string) string {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	if slices.Equal(a, b) {
		return ""
	}
	return fmt.Sprintf("%v != %v", a, b)
}
