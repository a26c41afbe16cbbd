package openapigen

import (
	"fmt"
	"maps"
	"reflect"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/dndcc/dnd-llm-service/app"
	"github.com/dndcc/dnd-llm-service/shared/apidoc"
	"github.com/dndcc/dnd-llm-service/shared/group"
	"github.com/dndcc/dnd-llm-service/shared/httpapi"
)

// schemas generates the components: those of the Go types the groups use,
// the groups' own, and what is derived from the list of groups (the job
// kinds and results, the Message Hub's message types).
func (b *builder) schemas(groups []app.Built, messages []group.Message) {
	declared := map[string]bool{}
	for _, g := range groups {
		for _, c := range g.Schemas {
			declared[c.Name] = true
		}
	}
	b.s.ref(httpapi.Problem{})
	for _, g := range groups {
		for _, v := range g.Types {
			b.s.ref(v)
		}
	}
	for _, m := range messages {
		if !declared[nameOf(reflect.TypeOf(m.Payload))] {
			b.s.ref(m.Payload)
		}
	}
	b.problems()
	for _, g := range groups {
		for _, c := range g.Schemas {
			b.component(c)
		}
	}
	b.jobs(groups)
	b.envelope(messages)
}

// generated returns a generated component, or nil after recording that it
// is missing.
func (b *builder) generated(name string) *openapi3.Schema {
	if sc := b.s.schemas[name]; sc != nil && sc.Value != nil {
		return sc.Value
	}
	b.fail(fmt.Errorf("no generated schema %s", name))
	return nil
}

// problems adds the problem a failed job carries (JobError), and a problem
// that carries its job (JobProblem).
func (b *builder) problems() {
	b.component(apidoc.Component{Name: "JobError", Derive: &apidoc.Derive{
		From: "Problem", Drop: []string{"job", "instance", "request_id"},
		About: "The problem a failed or canceled job answers with (a Problem without job, instance and request_id).",
	}})
	b.component(apidoc.Component{Name: "JobProblem", Schema: &apidoc.Schema{
		Description: "A problem that carries the failed or canceled job.",
		AllOf:       []*apidoc.Schema{apidoc.Comp("Problem"), {Type: "object", Required: []string{"job"}}},
	}})
}

// component adds a group's component.
func (b *builder) component(c apidoc.Component) {
	var sc *openapi3.Schema
	var err error
	switch {
	case c.Schema != nil:
		sc, err = convert(c.Schema)
	case c.Raw != nil:
		if sc, err = rawSchema(c.Raw); err == nil {
			sc.Title = c.Name
		}
	case c.Strict != nil:
		if sc, err = strictSchema(c.Strict, c.About); err == nil {
			sc.Title = c.Name
		}
	case c.Derive != nil:
		sc, err = b.derive(c.Derive)
	default:
		err = fmt.Errorf("component %s declares no schema", c.Name)
	}
	if err != nil {
		b.fail(fmt.Errorf("component %s: %w", c.Name, err))
		return
	}
	b.s.add(c.Name, sc)
}

func (b *builder) derive(d *apidoc.Derive) (*openapi3.Schema, error) {
	from := b.generated(d.From)
	if from == nil {
		return nil, fmt.Errorf("no component %s to derive from", d.From)
	}
	sc := *from
	sc.Properties = maps.Clone(from.Properties)
	for _, p := range d.Drop {
		if _, ok := sc.Properties[p]; !ok {
			return nil, fmt.Errorf("%s has no property %q", d.From, p)
		}
		delete(sc.Properties, p)
	}
	if d.Required != nil {
		sc.Required = d.Required
	}
	sc.Description = d.About
	return &sc, nil
}

// jobs tells the job's kinds and results.
func (b *builder) jobs(groups []app.Built) {
	job := b.generated("Job")
	if job == nil {
		return
	}
	var kinds, results []string
	for _, g := range groups {
		for _, j := range g.Jobs {
			kinds = append(kinds, j.Kind)
			if !slices.Contains(results, j.Result) {
				results = append(results, j.Result)
			}
		}
	}
	result := &apidoc.Schema{Description: "Set when status is succeeded: a TextResult for text kinds, an ImageResult for image kinds."}
	for _, r := range results {
		result.OneOf = append(result.OneOf, apidoc.Comp(r))
	}
	b.fail(merge(job.Properties["kind"].Value, apidoc.Enum(kinds...)))
	sc, err := convert(result)
	b.fail(err)
	job.Properties["result"] = &openapi3.SchemaRef{Value: sc}
}

// envelope ties each Message Hub message type to its payload.
func (b *builder) envelope(messages []group.Message) {
	env := b.generated("HubEnvelope")
	if env == nil {
		return
	}
	var names, seen []string
	payload := &apidoc.Schema{Type: "object", Description: "The request; its shape is chosen by message_type:\n\n"}
	for _, m := range messages {
		name := nameOf(reflect.TypeOf(m.Payload))
		names = append(names, m.Type)
		payload.Description += "- `" + m.Type + "`: " + name + "\n"
		if !slices.Contains(seen, name) {
			seen = append(seen, name)
			payload.AnyOf = append(payload.AnyOf, apidoc.Comp(name))
		}
		env.AllOf = append(env.AllOf, &openapi3.SchemaRef{Value: &openapi3.Schema{
			If: &openapi3.SchemaRef{Value: &openapi3.Schema{
				Required:   []string{"message_type"},
				Properties: openapi3.Schemas{"message_type": {Value: &openapi3.Schema{Const: m.Type}}},
			}},
			Then: &openapi3.SchemaRef{Value: &openapi3.Schema{
				Properties: openapi3.Schemas{"payload": compRef(name)},
			}},
		}})
	}
	b.fail(merge(env.Properties["message_type"].Value, apidoc.Enum(names...)))
	sc, err := convert(payload)
	b.fail(err)
	env.Properties["payload"] = &openapi3.SchemaRef{Value: sc}
}
