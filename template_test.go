package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// cfnTemplate is template.yaml as a tree; CloudFormation's short tags
// (!Ref, !Sub, !If) decode as their plain values.
type cfnTemplate struct {
	Parameters map[string]map[string]any `yaml:"Parameters"`
	Conditions map[string]any            `yaml:"Conditions"`
	Globals    struct {
		Function map[string]any `yaml:"Function"`
	} `yaml:"Globals"`
	Resources map[string]struct {
		Type       string         `yaml:"Type"`
		Properties map[string]any `yaml:"Properties"`
	} `yaml:"Resources"`
}

// TestTemplateDeployable checks what makes template.yaml deployable for
// real: every setting can be set, secrets are read at run time, the
// service knows its own URL, VPC and tracing, log retention, and a
// destination for failed worker runs.
func TestTemplateDeployable(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "{{resolve:") {
		t.Errorf("template.yaml resolves secrets at deploy time; a rotated secret would need a redeploy")
	}
	var tpl cfnTemplate
	if err := yaml.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"SecretsName", "SecretsExtensionLayerArn", "ServiceConfig", "ServiceUrl", "LogRetentionDays", "VpcSubnetIds", "VpcSecurityGroupIds"} {
		if tpl.Parameters[p] == nil {
			t.Errorf("template.yaml has no %s parameter", p)
		}
	}
	g := tpl.Globals.Function
	if g["Tracing"] != "Active" {
		t.Errorf("Globals.Function.Tracing = %v, want Active", g["Tracing"])
	}
	if _, ok := g["VpcConfig"]; !ok {
		t.Errorf("Globals.Function has no VpcConfig")
	}
	env, _ := g["Environment"].(map[string]any)["Variables"].(map[string]any)
	for k, want := range map[string]string{"SECRETS_ID": "SecretsName", "SERVICE_CONFIG_JSON": "ServiceConfig"} {
		if env[k] != want {
			t.Errorf("Globals environment %s = %v, want !Ref %s", k, env[k], want)
		}
	}
	// The service's URL reaches the functions through an SSM parameter:
	// naming the API in their environment would be a circular dependency.
	param := tpl.Resources["ServiceUrlParameter"]
	if param.Type != "AWS::SSM::Parameter" || !strings.Contains(yamlString(t, param.Properties["Value"]), "${HttpApi}") {
		t.Errorf("ServiceUrlParameter = %+v, want an SSM parameter holding the API's URL unless ServiceUrl is set", param)
	}
	if !strings.Contains(fmt.Sprint(env["SERVICE_URL_PARAMETER"]), "service-url") {
		t.Errorf("SERVICE_URL_PARAMETER = %v, want the parameter's name", env["SERVICE_URL_PARAMETER"])
	}
	functions := 0
	for name, r := range tpl.Resources {
		if r.Type != "AWS::Serverless::Function" {
			continue
		}
		functions++
		lc, _ := r.Properties["LoggingConfig"].(map[string]any)
		lg, _ := lc["LogGroup"].(string)
		if res, ok := tpl.Resources[lg]; !ok || res.Type != "AWS::Logs::LogGroup" || res.Properties["RetentionInDays"] != "LogRetentionDays" {
			t.Errorf("%s: logs go to %q, want a log group of its own with RetentionInDays: !Ref LogRetentionDays", name, lg)
		}
		if !strings.Contains(yamlString(t, r.Properties["Policies"]), "AWSSecretsManagerGetSecretValuePolicy") {
			t.Errorf("%s: no policy to read the secret", name)
		}
		if fn := r.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)["FUNCTION"]; fn == "worker" {
			dest := yamlString(t, r.Properties["EventInvokeConfig"])
			if !strings.Contains(dest, "OnFailure") || !strings.Contains(dest, "WorkerFailures.Arn") {
				t.Errorf("%s: failed scheduled runs go nowhere: EventInvokeConfig = %s", name, dest)
			}
		}
	}
	if functions < 4 {
		t.Errorf("template.yaml has %d functions", functions)
	}
	if _, err := exec.LookPath("cfn-lint"); err == nil {
		out, err := exec.Command("cfn-lint", "template.yaml").CombinedOutput()
		if err != nil {
			t.Errorf("cfn-lint template.yaml: %v\n%s", err, out)
		}
	} else {
		t.Log("cfn-lint is not installed; only the structural checks ran")
	}
}

func yamlString(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
