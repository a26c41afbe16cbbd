package openapigen

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

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
	problem := b.generated("Problem")
	if problem == nil {
		return
	}
	b.component(apidoc.Component{Name: "JobProblem", Derive: &apidoc.Derive{
		From: "Problem", Required: append(slices.Clone(problem.Required), "job"),
		About: "A problem that carries the failed or canceled job.",
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
	for _, p := range sortedKeys(d.Set) {
		r, err := convertRef(d.Set[p])
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", d.From, p, err)
		}
		sc.Properties[p] = r
	}
	if d.Required != nil {
		sc.Required = d.Required
	}
	sc.Description = d.About
	return &sc, nil
}

// jobs makes the component of each job kind (group.Job.Schema): Job with
// kind fixed and result the kind's result. Job itself becomes their union,
// told apart by kind, so every answer that carries a job is typed.
func (b *builder) jobs(groups []app.Built) {
	job := b.generated("Job")
	if job == nil {
		return
	}
	var order []string
	kinds := map[string][]string{}
	results := map[string]string{}
	abouts := map[string]string{}
	var variants []apidoc.Variant
	for _, g := range groups {
		for _, j := range g.Jobs {
			if j.Schema == "" {
				b.fail(fmt.Errorf("job kind %s names no Schema", j.Kind))
				continue
			}
			if r, ok := results[j.Schema]; ok && r != j.Result {
				b.fail(fmt.Errorf("job component %s has results %s and %s", j.Schema, r, j.Result))
			}
			if _, ok := kinds[j.Schema]; !ok {
				order = append(order, j.Schema)
			}
			kinds[j.Schema] = append(kinds[j.Schema], j.Kind)
			results[j.Schema] = j.Result
			if j.About != "" {
				abouts[j.Schema] = " " + j.About
			}
			variants = append(variants, apidoc.Variant{Value: j.Kind, Component: j.Schema})
		}
	}
	for _, name := range order {
		kind := &apidoc.Schema{Type: "string", Const: kinds[name][0]}
		if len(kinds[name]) > 1 {
			kind = &apidoc.Schema{Type: "string", Enum: apidoc.Strings(kinds[name])}
		}
		b.component(apidoc.Component{Name: name, Derive: &apidoc.Derive{
			From: "Job",
			Set:  map[string]*apidoc.Schema{"kind": kind, "result": apidoc.Comp(results[name])},
			About: "A job of kind " + strings.Join(kinds[name], " or ") + ". result, a " + results[name] +
				", is set when status is succeeded; error, the problem the job answers with, when it is failed or canceled." + abouts[name],
		}})
	}
	union := apidoc.Union("kind", variants...)
	union.Description = job.Description + " Its kind picks its variant, and so the schema of result."
	b.replace("Job", union)
}

// envelope makes the component of each Message Hub message type: the
// envelope with message_type fixed and payload of the type's schema. The
// envelope itself becomes their union, told apart by message_type.
func (b *builder) envelope(messages []group.Message) {
	env := b.generated("HubEnvelope")
	if env == nil {
		return
	}
	var variants []apidoc.Variant
	for _, m := range messages {
		payload := nameOf(reflect.TypeOf(m.Payload))
		name := "Hub" + camel(m.Type) + "Message"
		names := m.Names()
		messageType := &apidoc.Schema{Type: "string", Const: m.Type}
		about := "A Message Hub request of type " + m.Type + ": payload is a " + payload + "."
		if len(names) > 1 {
			messageType = &apidoc.Schema{Type: "string", Enum: apidoc.Strings(names)}
			about = "A Message Hub request of type " + strings.Join(names, " (or ") + strings.Repeat(")", len(names)-1) + ": payload is a " + payload + "."
		}
		b.component(apidoc.Component{Name: name, Derive: &apidoc.Derive{
			From:  "HubEnvelope",
			Set:   map[string]*apidoc.Schema{"message_type": messageType, "payload": apidoc.Comp(payload)},
			About: about,
		}})
		for _, n := range names {
			variants = append(variants, apidoc.Variant{Value: n, Component: name})
		}
	}
	union := apidoc.Union("message_type", variants...)
	union.Description = env.Description
	b.replace("HubEnvelope", union)
}

// replace swaps a component for a declared schema.
func (b *builder) replace(name string, frag *apidoc.Schema) {
	sc, err := convert(frag)
	if err != nil {
		b.fail(fmt.Errorf("component %s: %w", name, err))
		return
	}
	b.s.schemas[name] = openapi3.NewSchemaRef("", sc)
}

// camel turns snake_case and dotted names into CamelCase: generate_text
// is GenerateText, image.generate ImageGenerate.
func camel(s string) string {
	var sb strings.Builder
	for part := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == '_' || r == '.' }) {
		if part != "" {
			sb.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return sb.String()
}
