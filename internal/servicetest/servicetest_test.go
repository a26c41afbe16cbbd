package servicetest

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dndcc/dnd-llm-service/shared/auth"
)

// fatalTB records the message of a Fatalf and ends the helper that called it.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

// fatal runs fn and returns the message it failed with, "" if none.
func fatal(tb testing.TB, fn func(tb testing.TB)) (msg string) {
	f := &fatalTB{TB: tb}
	defer func() {
		if r := recover(); r != nil && r != any(f) {
			panic(r)
		}
		msg = f.msg
	}()
	fn(f)
	return ""
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	if msg := fatal(t, func(tb testing.TB) {
		WaitFor(tb, 10*time.Second, "the third poll", func() bool { return n.Add(1) == 3 })
	}); msg != "" {
		t.Errorf("WaitFor(cond true on the third poll) failed: %s", msg)
	}
	msg := fatal(t, func(tb testing.TB) {
		WaitFor(tb, 30*time.Millisecond, "nothing", func() bool { return false })
	})
	if want := "waited 30ms for nothing"; msg != want {
		t.Errorf("WaitFor(cond never true) failed with %q, want %q", msg, want)
	}
}

func TestLogSink(t *testing.T) {
	t.Parallel()
	var s LogSink
	for _, p := range []string{`{"msg":"a","n":1}` + "\n" + `{"msg":`, `"b"}` + "\n", "not json\n", `{"msg":"a"}` + "\n"} {
		s.Write([]byte(p))
	}
	if got := len(s.Lines()); got != 3 {
		t.Errorf("Lines() holds %d lines, want 3 (a line split across writes is one line; not JSON is none)", got)
	}
	if got := s.Count("a"); got != 2 {
		t.Errorf(`Count("a") = %d, want 2`, got)
	}
	if got := s.WaitFor(t, "b", time.Second)["msg"]; got != "b" {
		t.Errorf(`WaitFor("b") = %v, want the b line`, got)
	}
	go s.Write([]byte(`{"msg":"late"}` + "\n"))
	if got := s.WaitForAny(t, 10*time.Second, "never", "late")["msg"]; got != "late" {
		t.Errorf(`WaitForAny("never", "late") = %v, want the late line`, got)
	}
	if msg := fatal(t, func(tb testing.TB) { s.WaitFor(tb, "never", 20*time.Millisecond) }); !strings.HasPrefix(msg, `no ["never"] log line within 20ms`) {
		t.Errorf(`WaitFor("never") failed with %q, want no ["never"] log line`, msg)
	}
	if got := s.Tail(8); got != "…"+`"late"}`+"\n" {
		t.Errorf("Tail(8) = %q, want the last 8 bytes after …", got)
	}
}

// echo answers with what it received, as headers and body.
func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.Header().Set("X-Method", r.Method)
	w.Header().Set("X-Content-Type", r.Header.Get("Content-Type"))
	w.Header().Set("X-Authorization", r.Header.Get("Authorization"))
	w.Header().Set("X-Chunked", fmt.Sprint(r.ContentLength < 0))
	w.WriteHeader(http.StatusTeapot)
	w.Write(b)
}

// unsized hides a reader's length.
type unsized struct{ io.Reader }

func TestSend(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(echo))
	defer srv.Close()
	var used atomic.Int32
	counting := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})}
	cases := []struct {
		name, method, tok, body string
		opts                    []Option
		want                    map[string]string // answer headers
		wantBody                string
	}{
		{"no body, no token", "GET", "", "", nil, map[string]string{"X-Method": "GET", "X-Content-Type": "", "X-Authorization": ""}, ""},
		{"JSON body and token", "POST", "tk", `{"a":1}`, nil, map[string]string{"X-Content-Type": "application/json", "X-Authorization": "Bearer tk", "X-Chunked": "false"}, `{"a":1}`},
		{"header replaces the content type", "POST", "", `a=1`, []Option{Header("Content-Type", "text/plain")}, map[string]string{"X-Content-Type": "text/plain"}, "a=1"},
		{"reader of unknown length", "POST", "tk", "", []Option{BodyReader(unsized{strings.NewReader(`{"b":2}`)})},
			map[string]string{"X-Content-Type": "application/json", "X-Chunked": "true"}, `{"b":2}`},
		{"own client", "DELETE", "", "", []Option{Client(counting)}, map[string]string{"X-Method": "DELETE"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Send(tc.method, srv.URL, tc.tok, tc.body, tc.opts...)
			if err != nil {
				t.Fatalf("Send() = %v", err)
			}
			if r.Status != http.StatusTeapot || string(r.Body) != tc.wantBody || r.Request == nil {
				t.Errorf("Send() = %d %q (request %v), want 418 %q", r.Status, r.Body, r.Request, tc.wantBody)
			}
			for k, v := range tc.want {
				if got := r.Header.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
	if used.Load() != 1 {
		t.Errorf("the Client option's client made %d requests, want 1", used.Load())
	}
	if _, err := Send("GET", "http://127.0.0.1:1/", "", ""); err == nil {
		t.Errorf("Send() to a closed port = nil error")
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestToken(t *testing.T) {
	t.Parallel()
	c, err := auth.NewVerifier(TestKey, "").Verify(Token(t, "tester", auth.ScopeAdmin))
	if err != nil || c.Subject != "tester" || !c.Admin() {
		t.Errorf("Token(tester, admin) verifies as %+v, %v; want sub tester with admin", c, err)
	}
}

func TestPNGHeaderB64(t *testing.T) {
	t.Parallel()
	raw, err := base64.StdEncoding.DecodeString(PNGHeaderB64(100000, 7))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width != 100000 || cfg.Height != 7 {
		t.Errorf("PNGHeaderB64(100000, 7) decodes as %+v, %v; want 100000×7", cfg, err)
	}
}

func TestDiffSorted(t *testing.T) {
	t.Parallel()
	cases := []struct {
		a, b []string
		want string
	}{
		{[]string{"b", "a"}, []string{"a", "b"}, ""},
		{nil, []string{}, ""},
		{[]string{"a"}, []string{"b", "a"}, "[a] != [a b]"},
	}
	for _, tc := range cases {
		if got := DiffSorted(tc.a, tc.b); got != tc.want {
			t.Errorf("DiffSorted(%v, %v) = %q, want %q", tc.a, tc.b, got, tc.want)
		}
	}
}
