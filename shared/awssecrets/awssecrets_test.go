package awssecrets

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeExtension answers as the Parameters and Secrets Lambda Extension.
func fakeExtension(t *testing.T, status int, body string) *Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/secretsmanager/get" || r.URL.Query().Get("secretId") != "dnd llm/prod" {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		if r.Header.Get("X-Aws-Parameters-Secrets-Token") != "session-token" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return &Client{BaseURL: srv.URL, Token: "session-token", HTTP: srv.Client()}
}

func TestValues(t *testing.T) {
	const secret = "s3cr3t-value-0123456789"
	tests := []struct {
		name    string
		status  int
		body    string
		want    map[string]string
		wantErr string
	}{
		{"key/value secret", 200, `{"Name":"dnd llm/prod","SecretString":"{\"SECRET_KEY\":\"` + secret + `\",\"REDIS_URL\":\"redis://r:6379\"}"}`,
			map[string]string{"SECRET_KEY": secret, "REDIS_URL": "redis://r:6379"}, ""},
		{"plain string secret", 200, `{"SecretString":"` + secret + `"}`, nil, "not a JSON object"},
		{"binary secret", 200, `{"SecretBinary":"AAAA"}`, nil, "no SecretString"},
		{"extension refuses", 400, `{"error":"` + secret + `"}`, nil, "answered 400"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fakeExtension(t, tc.status, tc.body).Values(context.Background(), "dnd llm/prod")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Values() error = %v, want one saying %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("Values() error %q shows the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("Values()[%s] = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{"AWS_SESSION_TOKEN": "tok", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "9999"}
	c := FromEnv(func(k string) string { return env[k] })
	if c.BaseURL != "http://localhost:9999" || c.Token != "tok" {
		t.Errorf("FromEnv() = %+v", c)
	}
	if c := FromEnv(func(string) string { return "" }); c.BaseURL != "http://localhost:"+DefaultPort {
		t.Errorf("FromEnv() without a port = %s", c.BaseURL)
	}
}

func TestParameter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/systemsmanager/parameters/get" || r.Header.Get("X-Aws-Parameters-Secrets-Token") != "tok" {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		switch r.URL.Query().Get("name") {
		case "/dnd/service-url":
			w.Write([]byte(`{"Parameter":{"Name":"/dnd/service-url","Value":"https://abc.execute-api.eu-west-1.amazonaws.com"}}`))
		default:
			w.Write([]byte(`{"Parameter":{}}`))
		}
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Token: "tok", HTTP: srv.Client()}
	got, err := c.Parameter(context.Background(), "/dnd/service-url")
	if err != nil || got != "https://abc.execute-api.eu-west-1.amazonaws.com" {
		t.Errorf("Parameter() = %q, %v", got, err)
	}
	if _, err := c.Parameter(context.Background(), "/dnd/other"); err == nil {
		t.Errorf("Parameter() of an answer without a value succeeded")
	}
	c.Token = "wrong"
	if _, err := c.Parameter(context.Background(), "/dnd/service-url"); err == nil || !strings.Contains(err.Error(), "answered 400") {
		t.Errorf("Parameter() refused = %v", err)
	}
}
