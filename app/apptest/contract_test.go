package apptest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dndcc/dnd-llm-service/internal/servicetest"
)

func TestContractCheck(t *testing.T) {
	t.Parallel()
	problem := func(status int, code string) string {
		return `{"type":"urn:dnd-llm-service:problem:` + code + `","title":"t","status":` + strconv.Itoa(status) + `,"code":"` + code + `"}`
	}
	queued := `{"id":"text_1","kind":"text.character","status":"queued","priority":"normal","owner":"me","attempts":0}`
	tests := []struct {
		name         string
		method, path string
		token        bool
		body         string
		beyond       bool
		status       int
		answer       string
		wantFault    string // a fragment of the fault, or "" for none
	}{
		{name: "refused request answered 4xx", method: "GET", path: "/api/v2/queue/status",
			status: 401, answer: problem(401, "UNAUTHORIZED")},
		{name: "valid request, documented answer", method: "POST", path: "/api/v2/text/character", token: true,
			body: `{"type":"combat"}`, status: 202, answer: queued},
		{name: "refused request answered 2xx", method: "POST", path: "/api/v2/text/character", token: true,
			body: `{"type":"poem"}`, status: 202, answer: queued, wantFault: "so the answer must be a 4xx"},
		{name: "unknown field answered 2xx", method: "POST", path: "/api/v2/text/character", token: true,
			body: `{"type":"combat","parameters":{"charcter_level":3}}`, status: 202, answer: queued, wantFault: "so the answer must be a 4xx"},
		{name: "accepted request refused", method: "POST", path: "/api/v2/text/character", token: true,
			body: `{"type":"combat"}`, status: 400, answer: problem(400, "INVALID_PARAMETERS"), wantFault: "the service refused it"},
		{name: "refusal beyond the schemas", method: "POST", path: "/api/v2/text/character", token: true,
			body: `{"type":"combat","model":{"name":"gpt-2"}}`, beyond: true, status: 400, answer: problem(400, "INVALID_PARAMETERS")},
		{name: "needless beyond-schema mark", method: "POST", path: "/api/v2/text/character", token: true,
			body: `{"type":"poem"}`, beyond: true, status: 400, answer: problem(400, "INVALID_PARAMETERS"), wantFault: "drop the mark"},
		{name: "answer off the document", method: "GET", path: "/api/v2/queue/status", token: true,
			status: 200, answer: `{"queues":1}`, wantFault: "the answer does not match"},
		{name: "undocumented status", method: "GET", path: "/health",
			status: 418, answer: `{}`, wantFault: "the answer does not match"},
		{name: "unknown route answered 404", method: "GET", path: "/nope",
			status: 404, answer: problem(404, "NOT_FOUND")},
		{name: "unknown route answered 200", method: "GET", path: "/nope",
			status: 200, answer: `{}`, wantFault: "no such operation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newContract(t)
			req, err := http.NewRequest(tc.method, "http://127.0.0.1:1"+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if tc.token {
				req.Header.Set("Authorization", "Bearer x.y.z")
			}
			hdr := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"r1"}}
			if tc.status >= 400 {
				hdr.Set("Content-Type", "application/problem+json")
			}
			if tc.status == 401 {
				hdr.Set("WWW-Authenticate", `Bearer realm="x"`)
			}
			if tc.status == 202 {
				hdr.Set("Location", "/api/v2/queue/text_1")
				hdr.Set("Retry-After", "1")
				hdr.Set("X-Cache", "MISS")
			}
			c.check(servicetest.Exchange{Request: req, Body: []byte(tc.body), BodySent: true,
				Status: tc.status, Header: hdr, Answer: []byte(tc.answer), BeyondSchema: tc.beyond})
			got := strings.Join(c.faults, "\n")
			switch {
			case tc.wantFault == "" && got != "":
				t.Errorf("check(%s) = faults %s, want none", tc.name, got)
			case tc.wantFault != "" && !strings.Contains(got, tc.wantFault):
				t.Errorf("check(%s) = faults %q, want one saying %q", tc.name, got, tc.wantFault)
			}
		})
	}
}
