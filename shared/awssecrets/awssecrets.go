// Package awssecrets reads Secrets Manager secrets and Systems Manager
// parameters through the AWS Parameters and Secrets Lambda Extension, which
// runs beside the function, caches them (SECRETS_MANAGER_TTL and
// SSM_PARAMETER_STORE_TTL, 300 s by default) and answers on localhost. Reading at run time means a rotated secret reaches new
// execution environments without a redeploy.
package awssecrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultPort is the extension's port when PARAMETERS_SECRETS_EXTENSION_HTTP_PORT
// is unset.
const DefaultPort = "2773"

// Client reads secrets from the extension.
type Client struct {
	// BaseURL is the extension's address, e.g. http://localhost:2773.
	BaseURL string
	// Token authenticates to the extension: the function's AWS_SESSION_TOKEN.
	Token string
	HTTP  *http.Client
}

// FromEnv returns a client for the extension of the running function.
func FromEnv(getenv func(string) string) *Client {
	port := getenv("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
	if port == "" {
		port = DefaultPort
	}
	return &Client{BaseURL: "http://localhost:" + port, Token: getenv("AWS_SESSION_TOKEN"), HTTP: http.DefaultClient}
}

// get fetches path from the extension and decodes its JSON answer into v.
func (c *Client) get(ctx context.Context, what, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(c.BaseURL, "/")+path, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	req.Header.Set("X-Aws-Parameters-Secrets-Token", c.Token)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("%s: the secrets extension is unreachable: %w", what, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: the secrets extension answered %d", what, resp.StatusCode)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%s: the extension's answer is not JSON", what)
	}
	return nil
}

// Parameter returns the value of the Systems Manager parameter name.
func (c *Client) Parameter(ctx context.Context, name string) (string, error) {
	var got struct {
		Parameter struct {
			Value *string `json:"Value"`
		} `json:"Parameter"`
	}
	what := "parameter " + name
	if err := c.get(ctx, what, "/systemsmanager/parameters/get?name="+url.QueryEscape(name), &got); err != nil {
		return "", err
	}
	if got.Parameter.Value == nil {
		return "", fmt.Errorf("%s: the extension's answer has no value", what)
	}
	return *got.Parameter.Value, nil
}

// Values returns the secret id as a map of names to values: the secret's
// string must be a JSON object of strings (as the console's key/value
// editor writes it). Errors never contain the secret.
func (c *Client) Values(ctx context.Context, id string) (map[string]string, error) {
	var got struct {
		SecretString *string `json:"SecretString"`
	}
	what := "secret " + id
	if err := c.get(ctx, what, "/secretsmanager/get?secretId="+url.QueryEscape(id), &got); err != nil {
		return nil, err
	}
	if got.SecretString == nil {
		return nil, fmt.Errorf("%s: the extension's answer has no SecretString", what)
	}
	var values map[string]string
	if err := json.Unmarshal([]byte(*got.SecretString), &values); err != nil {
		return nil, fmt.Errorf("%s: %w", what, errNotObject)
	}
	return values, nil
}

var errNotObject = errors.New("its value is not a JSON object of strings")
