package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type sample struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
	Inner struct {
		Color string `json:"color"`
	} `json:"inner"`
}

func (s sample) Valid(context.Context) map[string]string {
	if s.Name == "" {
		return map[string]string{"name": "is required"}
	}
	return nil
}

func decodeStatus(t *testing.T, body, ct string, limit int64) (*Problem, sample) {
	t.Helper()
	r := httptest.NewRequest("POST", "/x", strings.NewReader(body))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	var got sample
	var perr error
	h := MaxBody(limit)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, perr = Decode[sample](r)
		if perr != nil {
			Error(w, r, perr)
		}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code == 200 {
		return nil, got
	}
	var p Problem
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("answer is not a problem: %s", w.Body)
	}
	if w.Header().Get("Content-Type") != "application/problem+json" {
		t.Errorf("Content-Type = %q", w.Header().Get("Content-Type"))
	}
	return &p, got
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name, body, ct string
		status         int
		field          string
		code           string
	}{
		{"ok", `{"name":"a","count":2}`, "application/json", 200, "", ""},
		{"no content type", `{"name":"a"}`, "", 415, "", CodeUnsupportedMediaType},
		{"form-urlencoded, as curl -d sends", `{"name":"a"}`, "application/x-www-form-urlencoded", 415, "", CodeUnsupportedMediaType},
		{"+json ok", `{"name":"a"}`, "application/merge+json", 200, "", ""},
		{"utf-8 ok", `{"name":"a"}`, "application/json; charset=UTF-8", 200, "", ""},
		{"other charset", `{"name":"a"}`, "application/json; charset=iso-8859-1", 415, "", CodeUnsupportedMediaType},
		{"invalid", `{"count":2}`, "application/json", 400, "name", CodeInvalidParameters},
		{"wrong type", `{"name":"a","count":"two"}`, "application/json", 400, "count", CodeInvalidParameters},
		{"integral decimal", `{"name":"a","count":3.0}`, "application/json", 200, "", ""},
		{"integral exponent", `{"name":"a","count":1e3}`, "application/json", 200, "", ""},
		{"fraction for an integer", `{"name":"a","count":2.5}`, "application/json", 400, "count", CodeInvalidParameters},
		{"unknown field", `{"name":"a","cuont":2}`, "application/json", 400, "cuont", CodeInvalidParameters},
		{"field of another case", `{"Name":"a"}`, "application/json", 400, "Name", CodeInvalidParameters},
		{"unknown nested field", `{"name":"a","inner":{"colour":"red"}}`, "application/json", 400, "inner.colour", CodeInvalidParameters},
		{"null", `{"name":null}`, "application/json", 400, "name", CodeInvalidParameters},
		{"malformed", `{"name":`, "application/json", 400, "body", CodeInvalidJSON},
		{"empty", ``, "application/json", 400, "body", CodeInvalidJSON},
		{"two values", `{"name":"a"}{"name":"b"}`, "application/json", 400, "body", CodeInvalidJSON},
		{"invalid UTF-8", "{\"name\":\"a\xff\"}", "application/json", 400, "body", CodeInvalidJSON},
		{"lone surrogate", `{"name":"a\ud800"}`, "application/json", 400, "body", CodeInvalidJSON},
		{"lone low surrogate", `{"name":"\udc00a"}`, "application/json", 400, "body", CodeInvalidJSON},
		{"surrogate pair ok", `{"name":"\ud83d\ude00"}`, "application/json", 200, "", ""},
		{"escaped backslash before u ok", `{"name":"\\ud800"}`, "application/json", 200, "", ""},
		{"text/plain", `{"name":"a"}`, "text/plain", 415, "", CodeUnsupportedMediaType},
		{"too large", `{"name":"` + strings.Repeat("a", 200) + `"}`, "application/json", 413, "", CodePayloadTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := decodeStatus(t, tc.body, tc.ct, 100)
			status := 200
			if p != nil {
				status = p.Status
			}
			if status != tc.status {
				t.Fatalf("status = %d, want %d (%+v)", status, tc.status, p)
			}
			if tc.field != "" && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
				t.Errorf("errors = %+v, want field %s", p.Errors, tc.field)
			}
			if p != nil && p.Code != tc.code {
				t.Errorf("code = %s, want %s", p.Code, tc.code)
			}
		})
	}
}

func TestObserveAndProblemMux(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) {
		JSON(w, 200, map[string]string{"id": RequestID(r.Context())})
	})
	mux.HandleFunc("GET /panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	var logs strings.Builder
	h := Observe(slog.New(slog.NewJSONHandler(&logs, nil)), nil)(ProblemMux(mux))
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(method, path string, hdr ...string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, b := get("GET", "/ok", "X-Request-ID", "abc-1")
	if resp.Header.Get("X-Request-ID") != "abc-1" || !strings.Contains(string(b), "abc-1") {
		t.Errorf("request id not honoured: %s %s", resp.Header.Get("X-Request-ID"), b)
	}
	resp, _ = get("GET", "/ok", "X-Request-ID", "bad id with spaces")
	if id := resp.Header.Get("X-Request-ID"); id == "" || strings.Contains(id, " ") {
		t.Errorf("invalid request id echoed: %q", id)
	}
	resp, b = get("GET", "/panic")
	if resp.StatusCode != 500 || !strings.Contains(string(b), "INTERNAL_ERROR") || strings.Contains(string(b), "boom") {
		t.Errorf("panic = %d %s", resp.StatusCode, b)
	}
	resp, _ = get("GET", "/missing")
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("missing = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, _ = get("POST", "/ok")
	if resp.StatusCode != 405 || !strings.Contains(resp.Header.Get("Allow"), "GET") {
		t.Errorf("wrong method = %d Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
	if !strings.Contains(logs.String(), `"route":"GET /ok"`) || !strings.Contains(logs.String(), `"msg":"panic"`) {
		t.Errorf("logs lack route or panic:\n%s", logs.String())
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"name":"a","count":1}`))
	f.Add([]byte(`{"count":"x"}`))
	f.Add([]byte(`[1,2`))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/x", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		_, err := Decode[sample](r)
		if err != nil {
			p := AsProblem(err)
			if p.Status >= 500 {
				t.Fatalf("decode error maps to %d: %v", p.Status, err)
			}
		}
	})
}
