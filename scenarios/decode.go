package scenarios

import (
	"fmt"
	"github.com/tranche-sim/tranche/internal/tomltext"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// Limits on a scenario file, so that any input is answered in time and
// memory in proportion to its size.
const (
	// MaxFileBytes is the largest scenario file read: scenarios are a few
	// kilobytes; 4 MiB leaves room for generated ones.
	MaxFileBytes = 4 << 20
	// MaxNesting is the deepest nesting of arrays and inline tables in a
	// value: the format needs 3 (a list of inline tables of lists).
	MaxNesting = 16
	// MaxProblems is the most problems reported of one file; the rest are
	// counted.
	MaxProblems = 50
	// maxEcho is the longest key or value a message repeats.
	maxEcho = 80
)

// decoder maps a TOML document, parsed once into maps, onto a Scenario: it
// finds each key's field by its toml tag, checks the value's type and
// reports, with the key and its line, every key that names no parameter
// and every value of the wrong type, in words (never a Go type's name).
// Range checks are the scenario's own (Scenario.check).
type decoder struct {
	text     string
	lines    tomltext.Lines
	probs    []problem
	policies map[string]sim.PolicyParams // for suggestions of policy keys
	refused  map[string]bool             // [policy.NAME] tables refused
}

// add records a problem.
func (d *decoder) add(key, format string, a ...any) {
	d.probs = append(d.probs, problem{key, fmt.Sprintf(format, a...)})
}

// suggesting reports whether the next problem still gets a suggestion:
// suggestions cost a search of the format's keys, and only the first
// MaxProblems problems are reported.
func (d *decoder) suggesting() bool { return len(d.probs) < MaxProblems }

// sortedKeys returns the keys of a table in file order (by the line of
// each key, with the key as prefix), then by name.
func (d *decoder) sortedKeys(prefix string, m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	line := func(k string) int { return d.lines.Line(join(prefix, k)) }
	sort.Slice(keys, func(i, j int) bool {
		a, b := line(keys[i]), line(keys[j])
		if a != b {
			return a < b
		}
		return keys[i] < keys[j]
	})
	return keys
}

// table decodes the table m into the struct v, whose keys start with
// prefix. skip names keys that belong to the caller (a policy table's base
// and modifiers).
func (d *decoder) table(prefix string, v reflect.Value, m map[string]any, skip ...string) {
	fields := map[string]reflect.Value{}
	tags := map[string]reflect.StructField{}
	eachField(v, func(name string, sf reflect.StructField, fv reflect.Value) {
		fields[name], tags[name] = fv, sf
	})
	for _, k := range d.sortedKeys(prefix, m) {
		if contains(skip, k) {
			continue
		}
		key := join(prefix, k)
		fv, ok := fields[k]
		if !ok {
			d.unknown(key)
			continue
		}
		d.value(key, fv, tags[k], m[k])
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// unknown reports a key that names no parameter, with the nearest key the
// format has. A table's unknown key is reported once, for the table.
func (d *decoder) unknown(key string) {
	shown := clipKey(key)
	if !d.suggesting() || len(key) > 2*maxEcho {
		d.add(key, "unknown key %s", shown)
		return
	}
	plain := index.ReplaceAllString(key, "") // suggestions are among keys without indices
	msg := "unknown key " + plain + suggest(plain, d.policies)
	if plain != key { // name the element of the array of tables, as the file has it
		msg = strings.ReplaceAll(msg, parentKey(plain)+".", parentKey(key)+".")
	}
	d.probs = append(d.probs, problem{key, msg})
}

// clipKey shortens a key for a message.
func clipKey(key string) string {
	if len(key) > maxEcho {
		return key[:maxEcho-3] + "... (" + strconv.Itoa(len(key)) + " characters)"
	}
	return key
}

// value decodes val, the value of key in the file, into the field fv.
func (d *decoder) value(key string, fv reflect.Value, sf reflect.StructField, val any) {
	switch {
	case sf.Type.Kind() == reflect.Struct:
		m, ok := val.(map[string]any)
		if !ok {
			d.wrongType(key, fv, sf, fmt.Sprintf("a table, written [%s]", key))
			return
		}
		d.table(key, fv, m)
	case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
		elems, ok := tables(val)
		if !ok {
			d.wrongType(key, fv, sf, fmt.Sprintf("a list of tables, written [[%s]]", key))
			return
		}
		list := reflect.MakeSlice(sf.Type, len(elems), len(elems))
		for i, m := range elems {
			ekey := fmt.Sprintf("%s[%d]", key, i)
			d.element(ekey, list.Index(i), m)
		}
		fv.Set(list) // a list in the file replaces the default list
	default:
		d.scalar(key, fv, sf, val)
	}
}

// tables returns the elements of an array of tables, written [[...]] or
// inline.
func tables(val any) ([]map[string]any, bool) {
	switch l := val.(type) {
	case []map[string]any:
		return l, true
	case []any:
		out := make([]map[string]any, len(l))
		for i, e := range l {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// element decodes one element of an array of tables: the keys the file
// leaves out take their default tag, and required keys must be given.
func (d *decoder) element(key string, v reflect.Value, m map[string]any) {
	eachField(v, func(name string, sf reflect.StructField, fv reflect.Value) {
		if _, present := m[name]; present {
			return
		}
		switch {
		case sf.Tag.Get("required") == "true":
			d.add(join(key, name), "%s is required (%s)", join(key, name), sf.Tag.Get("doc"))
		default:
			if def, ok := sf.Tag.Lookup("default"); ok { // an empty default is a default too
				if err := setString(fv, def); err != nil {
					d.add(join(key, name), "bad default tag: %v", err)
				}
			}
		}
	})
	d.table(key, v, m)
}

// scalar decodes a number, a string, a bool or a list of strings, checking
// its type only.
func (d *decoder) scalar(key string, fv reflect.Value, sf reflect.StructField, val any) {
	want := func() { d.wrongType(key, fv, sf, "") }
	switch fv.Kind() {
	case reflect.Float64:
		switch x := val.(type) {
		case float64:
			fv.SetFloat(x)
		case int64:
			fv.SetFloat(float64(x))
		default:
			want()
		}
	case reflect.Int, reflect.Int64:
		x, ok := val.(int64)
		if !ok {
			want()
			return
		}
		fv.SetInt(x)
	case reflect.Uint64:
		x, ok := val.(int64)
		switch {
		case !ok:
			want()
		case x < 0:
			d.add(key, "%s = %d is out of range: allowed [0, %d] (%s)", key, x, int64(math.MaxInt64), sf.Tag.Get("doc"))
		default:
			fv.SetUint(uint64(x))
		}
	case reflect.String:
		x, ok := val.(string)
		if !ok {
			want()
			return
		}
		fv.SetString(x)
	case reflect.Bool:
		x, ok := val.(bool)
		if !ok {
			want()
			return
		}
		fv.SetBool(x)
	case reflect.Slice:
		l, ok := val.([]any)
		if !ok {
			want()
			return
		}
		list := make([]string, len(l))
		for i, e := range l {
			if list[i], ok = e.(string); !ok {
				want()
				return
			}
		}
		fv.Set(reflect.ValueOf(list))
	default:
		want()
	}
}

// wrongType reports a value of the wrong type: the key, the value as the
// file writes it, what the key takes, and what it means. what overrides
// the description of what the key takes.
func (d *decoder) wrongType(key string, fv reflect.Value, sf reflect.StructField, what string) {
	value := valueText(d.text, d.lines.Line(key))
	if value == "" || d.lines.Line(key) == 0 {
		value = "…"
	}
	if len(value) > maxEcho {
		value = value[:maxEcho-3] + "..."
	}
	if what == "" {
		what = wants(Field{Key: key, Value: fv, Tag: sf.Tag})
	}
	msg := fmt.Sprintf("%s = %s: must be %s", key, value, what)
	if doc := sf.Tag.Get("doc"); doc != "" {
		msg += " (" + doc + ")"
	}
	d.probs = append(d.probs, problem{key, msg})
}

// policies decodes the [policy.NAME] tables: a built-in policy's
// parameters, or a new policy defined from a built-in base, either with
// optional modifiers.
func (d *decoder) policyTables(val any) map[string]sim.PolicyParams {
	out := map[string]sim.PolicyParams{}
	m, ok := val.(map[string]any)
	if !ok {
		d.add("policy", "policy = %s: must be tables of policies' parameters, written [policy.NAME]", clipValue(valueText(d.text, d.lines.Line("policy"))))
		return out
	}
	d.policies = map[string]sim.PolicyParams{}
	for _, name := range d.sortedKeys("policy", m) { // first pass: the names, for suggestions
		if e, ok := policy.Lookup(name); ok {
			d.policies[name] = e.Defaults()
		} else if t, ok := m[name].(map[string]any); ok {
			if b, ok := t["base"].(string); ok {
				if e, ok := policy.Lookup(b); ok {
					d.policies[name] = e.Defaults()
				}
			}
		}
	}
	for _, name := range d.sortedKeys("policy", m) {
		if p, ok := d.policyTable(name, m[name]); ok {
			out[name] = p
		} else {
			d.refused[name] = true
		}
	}
	return out
}

// clipValue shortens a value for a message.
func clipValue(s string) string {
	if s == "" {
		return "…"
	}
	if len(s) > maxEcho {
		return s[:maxEcho-3] + "..."
	}
	return s
}

// policyTable decodes one [policy.NAME] table.
func (d *decoder) policyTable(name string, val any) (sim.PolicyParams, bool) {
	key := "policy." + name
	t, ok := val.(map[string]any)
	if !ok {
		d.add(key, "%s = %s: must be a table of the policy's parameters, written [%s]", key, clipValue(valueText(d.text, d.lines.Line(key))), key)
		return nil, false
	}
	base := name
	_, builtin := policy.Lookup(name)
	head, hasBase := t["base"]
	baseName, isString := head.(string)
	switch {
	case hasBase && !isString:
		d.add(key+".base", "%s.base = %s: must be a string, the name of a built-in policy", key, clipValue(valueText(d.text, d.lines.Line(key+".base"))))
		return nil, false
	case builtin && hasBase && baseName != name:
		d.add(key+".base", "%s.base: %s is a built-in policy; define a new policy under a new name to start from %q", key, name, baseName)
		return nil, false
	case !builtin && !hasBase:
		d.add(key, "[%s]: unknown policy %q%s; built-in policies: %s; to define a new policy, give base = the built-in it starts from", key, clipKey(name), suggestPolicy(name), strings.Join(policy.Names(), ", "))
		return nil, false
	case !builtin:
		base = baseName
	}
	mods, modsOK := d.modifiers(key, t["modifiers"])
	e, ok := policy.Lookup(base)
	if !ok {
		d.add(key+".base", "%s.base = %q: unknown policy%s; built-in policies: %s", key, base, suggestPolicy(base), strings.Join(policy.Names(), ", "))
		for i, m := range mods { // they do not depend on the base
			d.probs = append(d.probs, checkRanges(fmt.Sprintf("%s.modifiers[%d]", key, i), reflect.ValueOf(m).Elem())...)
		}
		return nil, false
	}
	params := e.Defaults()
	d.table(key, reflect.ValueOf(params).Elem(), t, "base", "modifiers")
	if !modsOK {
		return nil, false
	}
	if builtin && len(mods) == 0 {
		return params, true
	}
	return &policy.Variant{Base: base, Params: params, Modifiers: mods}, true
}

// modifiers decodes a policy's [[policy.NAME.modifiers]] tables. If any
// is refused, it checks the others' ranges itself, under their own index,
// and reports false: Scenario.check would number them from the ones left.
func (d *decoder) modifiers(key string, val any) ([]policy.Modifier, bool) {
	if val == nil {
		return nil, true
	}
	elems, ok := tables(val)
	if !ok {
		d.add(key+".modifiers", "%s.modifiers: must be a list of modifier tables, each written [[%s.modifiers]] with a kind", key, key)
		return nil, false
	}
	var mods []policy.Modifier
	var ranges []problem // of the modifiers decoded, under their own index
	refused := false
	for i, m := range elems {
		mkey := fmt.Sprintf("%s.modifiers[%d]", key, i)
		kind, ok := m["kind"].(string)
		if !ok {
			_, present := m["kind"]
			if present {
				d.add(mkey+".kind", "%s.kind = %s: must be a string, the modifier's kind", mkey, clipValue(valueText(d.text, d.lines.Line(mkey+".kind"))))
			} else {
				d.add(mkey+".kind", "%s.kind: %v", mkey, policyKindError(""))
			}
			refused = true
			continue
		}
		e, err := policy.LookupModifier(kind)
		if err != nil {
			d.add(mkey+".kind", "%s.kind: %v%s", mkey, policyKindError(kind), suggestModifier(kind))
			refused = true
			continue // its keys depend on its kind
		}
		mod := e.Defaults()
		d.table(mkey, reflect.ValueOf(mod).Elem(), m, "kind")
		mods = append(mods, mod)
		ranges = append(ranges, checkRanges(mkey, reflect.ValueOf(mod).Elem())...)
	}
	if refused {
		d.probs = append(d.probs, ranges...)
		return nil, false
	}
	return mods, true
}

// policyKindError is the error of an unknown modifier kind.
func policyKindError(kind string) error {
	_, err := policy.LookupModifier(kind)
	return err
}
