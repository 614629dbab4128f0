package scenarios

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/tranche-sim/tranche/internal/textdist"
	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/sim"
)

// Type is the type of a parameter's value.
type Type string

// Parameter types.
const (
	// Number is a real number (float64).
	Number Type = "number"
	// Integer is a whole number.
	Integer Type = "integer"
	// Choice is one of a fixed set of words (Param.Choices): a categorical
	// parameter.
	Choice Type = "choice"
	// String is free text, such as a name.
	String Type = "string"
	// Bool is true or false.
	Bool Type = "bool"
	// StringList is a list of strings, such as the sectors of a ladder
	// stage.
	StringList Type = "string_list"
)

// Param describes one parameter of a scenario, addressable by its key.
//
// Keys are the TOML paths of the scenario format: "verifier.quality",
// "rounds", "policy.phased-snapback.tranches". An element of a list of
// tables is addressed by its index or, where elements have names, by its
// name: "coalition.members[0].resolve" and
// "coalition.members[lead-state].resolve" are the same parameter, and
// "coalition.members[*].resolve" addresses the parameter of every element
// at once. Modifiers and ladder stages are addressed by index:
// "policy.NAME.modifiers[0].window", "policy.ladder.stages[1].hold".
type Param struct {
	// Key is the parameter's key; list elements are named by their name
	// where they have a unique one, by their index otherwise.
	Key string
	// Type is the type of the value.
	Type Type
	// Value is the scenario's value: a float64, int, uint64, string, bool
	// or []string.
	Value any
	// Allowed is the range of allowed values of a number or integer (nil
	// for other types).
	Allowed *Range
	// Choices are the allowed values of a choice.
	Choices []string
	// Plausible is the range of values a reader could defend as an
	// assumption, for exploring the parameter (nil when the parameter is
	// not one to explore: names, the seed, the number of replications).
	// It lies within Allowed and holds the default.
	Plausible *Range
	// Doc says what the parameter means and Why why its default is what
	// it is.
	Doc, Why string
}

// MarshalJSON writes a parameter with its allowed range as an interval
// ("[0,1]", "(0,inf)") and its plausible range as two numbers.
func (p Param) MarshalJSON() ([]byte, error) {
	out := struct {
		Key       string      `json:"key"`
		Type      Type        `json:"type"`
		Value     any         `json:"value"`
		Allowed   string      `json:"allowed,omitempty"`
		Choices   []string    `json:"choices,omitempty"`
		Plausible *[2]float64 `json:"plausible"`
		Doc       string      `json:"doc"`
		Why       string      `json:"why,omitempty"`
	}{Key: p.Key, Type: p.Type, Value: p.Value, Choices: p.Choices, Doc: p.Doc, Why: p.Why}
	if p.Allowed != nil {
		out.Allowed = p.Allowed.String()
	}
	if p.Plausible != nil {
		out.Plausible = &[2]float64{p.Plausible.Lo, p.Plausible.Hi}
	}
	return json.Marshal(out)
}

// field is a parameter found by a key: the settable value and its tag.
type field struct {
	key   string // as listed: elements by name where they have one
	value reflect.Value
	tag   reflect.StructTag
}

// typeOf returns the type of a parameter field, or "" for a field that is
// not a parameter.
func typeOf(v reflect.Value, tag reflect.StructTag) Type {
	switch v.Kind() {
	case reflect.Float64:
		return Number
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return Integer
	case reflect.Bool:
		return Bool
	case reflect.String:
		if tag.Get("oneof") != "" {
			return Choice
		}
		return String
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.String {
			return StringList
		}
	}
	return ""
}

func (f field) param() Param {
	p := Param{Key: f.key, Type: typeOf(f.value, f.tag), Value: f.value.Interface(), Doc: f.tag.Get("doc"), Why: f.tag.Get("why")}
	if l, ok := p.Value.([]string); ok {
		p.Value = slices.Clone(l)
	}
	if one := f.tag.Get("oneof"); one != "" {
		p.Choices = strings.Split(one, ",")
	}
	if tag := f.tag.Get("range"); tag != "" && (p.Type == Number || p.Type == Integer) {
		if r, err := ParseRange(tag); err == nil {
			p.Allowed = &r
		}
	}
	if tag := f.tag.Get("plausible"); tag != "" {
		if pr, err := ParseRange(tag); err == nil {
			p.Plausible = &pr
		}
	}
	return p
}

// Parameters lists the parameters of the scenario: the top-level settings, the
// model's parameters in file order, then the parameters of its policies in
// the order of Policies (and of policies it defines but does not run). A
// built-in policy's parameters can be set by key whether or not the
// scenario lists it.
func (s *Scenario) Parameters() []Param {
	var out []Param
	for _, f := range s.fields() {
		out = append(out, f.param())
	}
	return out
}

// fields returns every parameter field of the scenario, as Parameters lists
// them.
func (s *Scenario) fields() []field {
	var out []field
	listFields("", reflect.ValueOf(s).Elem(), func(f field) { out = append(out, f) })
	for _, name := range s.policyOrder() {
		out = append(out, policyFields(name, s.PolicyParams[name])...)
	}
	return out
}

// policyOrder returns the names of the scenario's policy parameters:
// Policies' order first, then the others by name.
func (s *Scenario) policyOrder() []string {
	var names []string
	for _, n := range s.Policies {
		if _, ok := s.PolicyParams[n]; ok && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	var rest []string
	for n := range s.PolicyParams {
		if !slices.Contains(names, n) {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	return append(names, rest...)
}

// policyFields returns the parameter fields of one policy.
func policyFields(name string, p sim.PolicyParams) []field {
	var out []field
	prefix := "policy." + name
	params, mods := policyParts(p)
	listFields(prefix, reflect.ValueOf(params).Elem(), func(f field) { out = append(out, f) })
	for i, m := range mods {
		listFields(fmt.Sprintf("%s.modifiers[%d]", prefix, i), reflect.ValueOf(m).Elem(), func(f field) { out = append(out, f) })
	}
	return out
}

// listFields calls fn for every parameter below the struct v, depth first
// in declaration order, naming list elements by their name where the list
// has unique names.
func listFields(prefix string, v reflect.Value, fn func(field)) {
	eachField(v, func(name string, sf reflect.StructField, fv reflect.Value) {
		key := join(prefix, name)
		switch {
		case sf.Type.Kind() == reflect.Struct:
			listFields(key, fv, fn)
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
			names := elementNames(fv)
			for j := range fv.Len() {
				sel := strconv.Itoa(j)
				if names != nil {
					sel = names[j]
				}
				listFields(key+"["+sel+"]", fv.Index(j), fn)
			}
		default:
			if typeOf(fv, sf.Tag) != "" {
				fn(field{key: key, value: fv, tag: sf.Tag})
			}
		}
	})
}

// elementNames returns the names of a list's elements if every element has
// a name that no other has (ignoring case) and that a key can hold, nil
// otherwise.
func elementNames(list reflect.Value) []string {
	var names []string
	seen := map[string]bool{}
	for j := range list.Len() {
		n, ok := elementName(list.Index(j))
		if !ok || n == "" || !keyName(n) || seen[strings.ToLower(n)] {
			return nil
		}
		seen[strings.ToLower(n)] = true
		names = append(names, n)
	}
	return names
}

// elementName returns the value of an element's name field.
func elementName(elem reflect.Value) (string, bool) {
	var name string
	found := false
	eachField(elem, func(n string, sf reflect.StructField, fv reflect.Value) {
		if n == "name" && fv.Kind() == reflect.String {
			name, found = fv.String(), true
		}
	})
	return name, found
}

// keyName reports whether a name can stand between the brackets of a key.
func keyName(n string) bool {
	_, isIndex := listIndex(n)
	return n != "*" && !isIndex && !strings.ContainsAny(n, "[].=\n") && strings.TrimSpace(n) == n
}

// segment is one step of a key: a name and, for a list, a selector.
type segment struct {
	name   string
	sel    string
	hasSel bool
}

// parseKey splits a key into segments.
func parseKey(key string) ([]segment, error) {
	if key == "" {
		return nil, errors.New("empty key")
	}
	var segs []segment
	rest := key
	for {
		var seg segment
		i := strings.IndexAny(rest, ".[")
		if i < 0 {
			seg.name, rest = rest, ""
		} else {
			seg.name, rest = rest[:i], rest[i:]
		}
		if strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("key %s: a [ without its ]", key)
			}
			seg.sel, seg.hasSel, rest = rest[1:end], true, rest[end+1:]
			if seg.sel == "" {
				return nil, fmt.Errorf("key %s: empty [] (give an index, a name or *)", key)
			}
		}
		if seg.name == "" {
			return nil, fmt.Errorf("key %s: an empty part", key)
		}
		segs = append(segs, seg)
		if rest == "" {
			return segs, nil
		}
		if rest[0] != '.' {
			return nil, fmt.Errorf("key %s: want a . after ]", key)
		}
		rest = rest[1:]
		if rest == "" {
			return nil, fmt.Errorf("key %s: ends with a .", key)
		}
	}
}

// ErrUnknownKey is what errors.Is finds in the error of a key that names
// no parameter, as opposed to a value a parameter refuses.
var ErrUnknownKey = errors.New("unknown key")

// keyError reports a key that names no parameter.
type keyError struct {
	key    string
	why    string // what is wrong, after the key; "" for nothing more
	hinted bool   // why already suggests a key or a name
}

func (e *keyError) Error() string {
	if e.why == "" {
		return "unknown key " + e.key
	}
	return "unknown key " + e.key + ": " + e.why
}

// Is makes errors.Is(err, ErrUnknownKey) true.
func (e *keyError) Is(target error) bool { return target == ErrUnknownKey }

// unknown returns the error of a key that names no parameter.
func unknown(key, format string, a ...any) error {
	return &keyError{key: key, why: fmt.Sprintf(format, a...)}
}

// find returns the fields a key names (several for a key with [*]). When
// they belong to a built-in policy that the scenario does not hold yet,
// they are fields of a fresh copy of its defaults, and add puts that copy
// in PolicyParams: call it once the fields are set, so that a key or a
// value refused leaves the scenario as it was. add is never nil.
func (s *Scenario) find(key string) (fs []field, add func(), err error) {
	segs, err := parseKey(key)
	if err != nil {
		return nil, nil, err
	}
	if segs[0].name == "policy" && !segs[0].hasSel {
		return s.findPolicy(key, segs[1:])
	}
	fs, err = findIn(key, "", reflect.ValueOf(s).Elem(), segs)
	return fs, func() {}, err
}

// findPolicy finds a key below policy.NAME.
func (s *Scenario) findPolicy(key string, segs []segment) ([]field, func(), error) {
	if len(segs) < 2 || segs[0].hasSel {
		return nil, nil, unknown(key, "policy parameters are policy.NAME.KEY, such as policy.phased.tranches")
	}
	name := segs[0].name
	add := func() {}
	p, ok := s.PolicyParams[name]
	if !ok {
		e, builtin := policy.Lookup(name)
		if !builtin {
			return nil, nil, &keyError{key: key, why: fmt.Sprintf("no policy %q in this scenario%s", name, suggestPolicyIn(name, s)), hinted: true}
		}
		p = e.Defaults()
		add = func() {
			if s.PolicyParams == nil {
				s.PolicyParams = map[string]sim.PolicyParams{}
			}
			s.PolicyParams[name] = p
		}
	}
	prefix := "policy." + name
	params, mods := policyParts(p)
	if segs[1].name == "modifiers" {
		if !segs[1].hasSel {
			return nil, nil, unknown(key, "a modifier is addressed by its index, such as %s.modifiers[0].KEY", prefix)
		}
		var idx []int
		switch sel := segs[1].sel; sel {
		case "*":
			for i := range mods {
				idx = append(idx, i)
			}
		default:
			i, ok := listIndex(sel)
			if !ok || i >= len(mods) {
				return nil, nil, unknown(key, "policy %s has %d modifier(s), numbered from 0", name, len(mods))
			}
			idx = []int{i}
		}
		var out []field
		for _, i := range idx {
			fs, err := findIn(key, fmt.Sprintf("%s.modifiers[%d]", prefix, i), reflect.ValueOf(mods[i]).Elem(), segs[2:])
			if err != nil {
				return nil, nil, err
			}
			out = append(out, fs...)
		}
		if len(out) == 0 {
			return nil, nil, fmt.Errorf("%s: policy %s has no modifiers", key, name)
		}
		return out, add, nil
	}
	if segs[1].name == "base" && len(segs) == 2 {
		return nil, nil, fmt.Errorf("%s: a policy's base cannot be set by key; define the policy in a [%s] table", key, prefix)
	}
	fs, err := findIn(key, prefix, reflect.ValueOf(params).Elem(), segs[1:])
	return fs, add, err
}

// listIndex reads a list index: a plain decimal number (no sign, no leading
// zero), so that "01" or "+1" are names, not indexes.
func listIndex(sel string) (int, bool) {
	if sel == "" || len(sel) > 9 || sel[0] == '0' && len(sel) > 1 {
		return 0, false
	}
	for _, c := range sel {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	i, err := strconv.Atoi(sel)
	return i, err == nil
}

// findIn finds the fields that segs name below the struct v, whose own key
// is prefix.
func findIn(key, prefix string, v reflect.Value, segs []segment) ([]field, error) {
	seg := segs[0]
	var found *reflect.StructField
	var fv reflect.Value
	eachField(v, func(name string, sf reflect.StructField, val reflect.Value) {
		if name == seg.name && found == nil {
			found, fv = &sf, val
		}
	})
	if found == nil {
		return nil, &keyError{key: key}
	}
	here := join(prefix, seg.name)
	isList := found.Type.Kind() == reflect.Slice && found.Type.Elem().Kind() == reflect.Struct
	switch {
	case isList && !seg.hasSel:
		return nil, unknown(key, "%s is a list; address an element as %s[0], %s[NAME] or all of them as %s[*]", here, here, here, here)
	case !isList && seg.hasSel:
		return nil, unknown(key, "%s is not a list", here)
	case found.Type.Kind() == reflect.Struct:
		if len(segs) == 1 {
			return nil, unknown(key, "%s is a table, not a parameter", here)
		}
		return findIn(key, here, fv, segs[1:])
	case isList:
		if len(segs) == 1 {
			return nil, unknown(key, "%s[%s] is a table, not a parameter", here, seg.sel)
		}
		idx, err := selectElements(key, here, fv, seg.sel)
		if err != nil {
			return nil, err
		}
		names := elementNames(fv)
		var out []field
		for _, j := range idx {
			sel := strconv.Itoa(j)
			if names != nil {
				sel = names[j]
			}
			fs, err := findIn(key, here+"["+sel+"]", fv.Index(j), segs[1:])
			if err != nil {
				return nil, err
			}
			out = append(out, fs...)
		}
		return out, nil
	}
	if len(segs) > 1 || typeOf(fv, found.Tag) == "" {
		return nil, &keyError{key: key}
	}
	return []field{{key: here, value: fv, tag: found.Tag}}, nil
}

// selectElements returns the indexes of the elements of list that sel
// names: an index, a name (exact, or ignoring case when that is unique) or
// * for all.
func selectElements(key, here string, list reflect.Value, sel string) ([]int, error) {
	n := list.Len()
	if sel == "*" {
		if n == 0 {
			return nil, fmt.Errorf("%s: %s is empty, so [*] names nothing", key, here)
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	if i, ok := listIndex(sel); ok {
		if i >= n {
			return nil, unknown(key, "%s has %d element(s), numbered from 0", here, n)
		}
		return []int{i}, nil
	}
	var names, fold []string
	var exact, folded []int
	for j := range n {
		name, ok := elementName(list.Index(j))
		if !ok {
			return nil, unknown(key, "the elements of %s have no names; address one by its index, from 0", here)
		}
		names = append(names, name)
		fold = append(fold, strings.ToLower(name))
		if name == sel {
			exact = append(exact, j)
		}
		if strings.EqualFold(name, sel) {
			folded = append(folded, j)
		}
	}
	switch {
	case len(exact) == 1:
		return exact, nil
	case len(exact) == 0 && len(folded) == 1:
		return folded, nil
	case len(exact) > 1 || len(folded) > 1:
		return nil, fmt.Errorf("%s: %s has several elements named %q; address one by its index", key, here, sel)
	}
	hint := ""
	if best := textdist.Closest(strings.ToLower(sel), fold, 3); best != "" {
		hint = fmt.Sprintf(" (did you mean %s?)", names[slices.Index(fold, best)])
	}
	return nil, &keyError{key: key, why: fmt.Sprintf("%s has no element named %q%s; names: %s", here, sel, hint, strings.Join(names, ", ")), hinted: true}
}

// suggestPolicyIn returns " (did you mean X?)" for the policy of the
// scenario or built-in closest to name.
func suggestPolicyIn(name string, s *Scenario) string {
	names := policy.Names()
	for n := range s.PolicyParams {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return closest(name, names, 3)
}

// unknownKey returns the error for a key that names no parameter, with
// the nearest key the scenario has.
func (s *Scenario) unknownKey(key string, err error) error {
	var ke *keyError
	if !errors.As(err, &ke) || ke.hinted {
		return err
	}
	msg := err.Error()
	var keys, indexed []string // as listed (elements by name), and by index
	for _, f := range s.fields() {
		keys = append(keys, f.key)
		if k := index.ReplaceAllString(f.key, "[*]"); k != f.key && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	walk("", reflect.ValueOf(s).Elem(), func(f Field) { indexed = append(indexed, f.Key) })
	if best := textdist.Closest(key, keys, max(3, len(key)/6)); best != "" {
		return fmt.Errorf("%s (did you mean %s?)", msg, best)
	}
	if hint := elsewhere(key, indexed); hint != "" {
		return fmt.Errorf("%s%s", msg, hint)
	}
	return fmt.Errorf("%s; 'tranche params' lists the keys", msg)
}

// Keys returns the keys of the parameters a key addresses, as Parameters
// lists them: one for a plain key, one per element for a key with [*].
// Two keys set the same parameter when their Keys share one.
func (s *Scenario) Keys(key string) ([]string, error) {
	fs, _, err := s.find(key)
	if err != nil {
		return nil, s.unknownKey(key, err)
	}
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.key
	}
	return out, nil
}

// Parameter returns the description of the parameter with the given key. A key
// with [*] describes the first element's parameter.
func (s *Scenario) Parameter(key string) (Param, error) {
	fs, _, err := s.find(key)
	if err != nil {
		return Param{}, s.unknownKey(key, err)
	}
	p := fs[0].param()
	p.Key = key
	return p, nil
}

// Get returns the value of the parameter with the given key: a float64,
// int, uint64, string, bool or []string. A key with [*] returns the value
// its elements share, and an error if they differ.
func (s *Scenario) Get(key string) (any, error) {
	fs, _, err := s.find(key)
	if err != nil {
		return nil, s.unknownKey(key, err)
	}
	v := fs[0].param().Value
	for _, f := range fs[1:] {
		if w := f.param().Value; !reflect.DeepEqual(v, w) {
			return nil, fmt.Errorf("%s: the elements differ (%s = %s, %s = %s)", key, fs[0].key, formatValue(fs[0].value), f.key, formatValue(f.value))
		}
	}
	return v, nil
}

// Set sets the parameter with the given key to v, with the checks the file
// format makes of a single value: its type (a Go number for a number or an
// integer, a string, a bool, a []string) and its allowed range or values.
// Rules between values (weights that sum to 0, durable_rounds beyond the
// rounds) are checked by Check. A key with [*] sets every element; nothing
// is set when any element refuses the value.
func (s *Scenario) Set(key string, v any) error { return s.set(key, v, clipAny(v)) }

// set is Set, with the value shown in messages as shown.
func (s *Scenario) set(key string, v any, shown string) error {
	fs, add, err := s.find(key)
	if err != nil {
		return s.unknownKey(key, err)
	}
	vals := make([]reflect.Value, len(fs))
	for i, f := range fs {
		if vals[i], err = convert(key, f, v, shown); err != nil {
			return err
		}
	}
	for i, f := range fs {
		f.value.Set(vals[i])
	}
	add()
	return nil
}

// Setter returns a function that sets the parameter with the given key of
// s, as Set does, with the key resolved once: for setting the same keys of
// one scenario many times, as an experiment does at each design point. The
// function belongs to s (not to a copy of it), and is valid while the
// lists s holds keep their lengths.
func (s *Scenario) Setter(key string) (func(v any) error, error) {
	fs, add, err := s.find(key)
	if err != nil {
		return nil, s.unknownKey(key, err)
	}
	add() // a built-in policy's parameters, materialised: the setter writes into them
	vals := make([]reflect.Value, len(fs))
	return func(v any) error {
		for i, f := range fs {
			var err error
			if vals[i], err = convert(key, f, v, ""); err != nil {
				_, err = convert(key, f, v, clipAny(v)) // again, for the message with the value
				return err
			}
		}
		for i, f := range fs {
			f.value.Set(vals[i])
		}
		return nil
	}, nil
}

// SetText sets the parameter with the given key to a value written as in a
// TOML file: 0.9, 3, true, "a name", ["a", "b"]. A string or a choice may
// also be written without quotes, and a list of strings as words separated
// by commas.
func (s *Scenario) SetText(key, text string) error {
	fs, _, err := s.find(key)
	if err != nil {
		return s.unknownKey(key, err)
	}
	text = strings.TrimSpace(text)
	v, err := parseValue(text)
	quoted := strings.HasPrefix(text, `"`) || strings.HasPrefix(text, "'") || strings.HasPrefix(text, "[")
	switch t := typeOf(fs[0].value, fs[0].tag); {
	case err != nil && quoted:
		// a string or a list that does not parse: say so, do not take it as a word
	case t == String || t == Choice:
		if _, ok := v.(string); !ok {
			v, err = text, nil // a bare word
		}
	case t == StringList && quoted:
		if _, ok := v.([]any); !ok {
			err = errors.New("a list is written [\"a\", \"b\"] or a, b")
		}
	case t == StringList:
		if _, ok := v.([]any); !ok {
			var words []string
			for _, w := range strings.Split(text, ",") {
				words = append(words, strings.TrimSpace(w))
			}
			v, err = words, nil
		}
	}
	if err == nil && !quoted && strings.Contains(text, "#") {
		err = errors.New("a value has no comments ('#' starts one)")
	}
	if err != nil {
		return fmt.Errorf("%s = %s: %v; %s", key, clip(text), err, wantsText(fs[0]))
	}
	if _, isFloat := v.(float64); isFloat && typeOf(fs[0].value, fs[0].tag) == Integer {
		// As in a file: a whole number is written without a fraction.
		return fmt.Errorf("%s = %s: %s", key, clip(text), wantsText(fs[0]))
	}
	return s.set(key, v, clip(text))
}

// parseValue reads one TOML value.
func parseValue(text string) (any, error) {
	if strings.ContainsAny(text, "\n\r") {
		return nil, errors.New("a value is one line")
	}
	var doc map[string]any
	if _, err := toml.Decode("v = "+text, &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("not a TOML value (%s)", pe.Message)
		}
		return nil, errors.New("not a TOML value")
	}
	if len(doc) != 1 {
		return nil, errors.New("not a single TOML value")
	}
	return doc["v"], nil
}

// clip shortens a value for a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// wantsText says what a field takes, for messages.
func wantsText(f field) string {
	return "must be " + wants(Field{Key: f.key, Value: f.value, Tag: f.tag})
}

// convert converts v to the type of field f and checks it against the
// field's allowed range or values. Any Go integer or floating-point type
// is taken for a number; a float32 as the decimal it prints as (0.9, not
// 0.8999999761581421).
func convert(key string, f field, v any, shown string) (reflect.Value, error) {
	t := f.value.Type()
	bad := func() (reflect.Value, error) {
		return reflect.Value{}, fmt.Errorf("%s = %s: %s", key, shown, wantsText(f))
	}
	inexact := func() (reflect.Value, error) {
		return reflect.Value{}, fmt.Errorf("%s = %s: too large to be held exactly (at most 2^53 in size)", key, shown)
	}
	// The number v holds: an integer (i or u) or a float (x).
	rv := reflect.ValueOf(v)
	var (
		i            int64
		u            uint64
		x            float64
		isInt, isUnt bool
		isNum        = true
	)
	switch {
	case v == nil:
		isNum = false
	case rv.CanInt():
		i, isInt = rv.Int(), true
	case rv.CanUint():
		u, isUnt = rv.Uint(), true
	case rv.CanFloat():
		x = rv.Float()
		if rv.Kind() == reflect.Float32 {
			x, _ = strconv.ParseFloat(strconv.FormatFloat(x, 'g', -1, 32), 64)
		}
	default:
		isNum = false
	}
	const exact = 1 << 53
	var out reflect.Value
	switch f.value.Kind() {
	case reflect.Float64:
		switch {
		case !isNum:
			return bad()
		case isInt && (i > exact || i < -exact), isUnt && u > exact:
			return inexact()
		case isInt:
			x = float64(i)
		case isUnt:
			x = float64(u)
		}
		out = reflect.ValueOf(x).Convert(t)
	case reflect.Int, reflect.Int64:
		switch {
		case !isNum:
			return bad()
		case isUnt && u > math.MaxInt64:
			return inexact()
		case isUnt:
			i = int64(u)
		case !isInt && x != math.Trunc(x):
			return bad()
		case !isInt && math.Abs(x) > exact:
			return inexact()
		case !isInt:
			i = int64(x)
		}
		out = reflect.ValueOf(i).Convert(t)
		x = float64(i)
	case reflect.Uint64:
		switch {
		case !isNum:
			return bad()
		case isInt && i < 0:
			return reflect.Value{}, fmt.Errorf("%s = %d is out of range: allowed [0, %d]", key, i, int64(math.MaxInt64))
		case isInt:
			u = uint64(i)
		case !isUnt && x != math.Trunc(x):
			return bad()
		case !isUnt && x < 0:
			return reflect.Value{}, fmt.Errorf("%s = %s is out of range: allowed [0, %d]", key, shown, int64(math.MaxInt64))
		case !isUnt && x > exact:
			return inexact()
		case !isUnt:
			u = uint64(x)
		}
		if u > math.MaxInt64 {
			return reflect.Value{}, fmt.Errorf("%s = %d is out of range: allowed [0, %d]", key, u, int64(math.MaxInt64))
		}
		return reflect.ValueOf(u).Convert(t), nil
	case reflect.String:
		str, ok := v.(string)
		if !ok {
			return bad()
		}
		if one := f.tag.Get("oneof"); one != "" && !slices.Contains(strings.Split(one, ","), str) {
			return reflect.Value{}, fmt.Errorf("%s = %q%s: allowed values are %s (%s)", key, str, closest(str, strings.Split(one, ","), 4), strings.ReplaceAll(one, ",", ", "), f.tag.Get("doc"))
		}
		return reflect.ValueOf(str).Convert(t), nil
	case reflect.Bool:
		b, ok := v.(bool)
		if !ok {
			return bad()
		}
		return reflect.ValueOf(b).Convert(t), nil
	case reflect.Slice:
		var list []string
		switch l := v.(type) {
		case []string:
			list = slices.Clone(l)
		case []any:
			list = []string{}
			for _, e := range l {
				str, ok := e.(string)
				if !ok {
					return bad()
				}
				list = append(list, str)
			}
		default:
			return bad()
		}
		if slices.Contains(list, "") {
			return reflect.Value{}, fmt.Errorf("%s = %s: an empty string in the list", key, shown)
		}
		return reflect.ValueOf(list).Convert(t), nil
	default:
		return bad()
	}
	if tag := f.tag.Get("range"); tag != "" {
		r, err := ParseRange(tag)
		if err == nil && !r.Contains(x) {
			return reflect.Value{}, fmt.Errorf("%s = %s is out of range: allowed %s (%s)", key, formatValue(out), r, f.tag.Get("doc"))
		}
	} else if math.IsNaN(x) || math.IsInf(x, 0) {
		return reflect.Value{}, fmt.Errorf("%s = %v: must be a finite number", key, x)
	}
	return out, nil
}

func clipAny(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(clip(s))
	}
	return clip(fmt.Sprint(v))
}

// Apply sets parameters from assignments written KEY=VALUE, with VALUE as
// SetText reads it, in order; label names their source in messages (for
// example "--set"). It reports every problem at once, as an *Error, and
// changes nothing unless every assignment is good. A parameter set twice
// is refused, whatever keys name it (coalition.members[0].resolve and
// coalition.members[lead-state].resolve are one parameter), except that an
// element's own assignment may follow one of its list's [*]: the later
// wins. Apply does not run Check.
func (s *Scenario) Apply(label string, assignments []string) error {
	var probs []Problem
	c := s.Clone()
	exact := map[string]string{} // parameter, by its listed key: the assignment that named it alone
	for _, a := range assignments {
		key, value, ok := strings.Cut(a, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			probs = append(probs, Problem{Msg: fmt.Sprintf("%q: want KEY=VALUE, such as verifier.quality=0.9", clip(a))})
			continue
		}
		if fs, _, err := c.find(key); err == nil && !strings.Contains(key, "[*]") {
			if prev, twice := exact[fs[0].key]; twice {
				probs = append(probs, Problem{Key: key, Msg: fmt.Sprintf("%s is set twice (%s and %s): give it once", fs[0].key, clip(prev), clip(a))})
				continue
			}
			exact[fs[0].key] = a
		}
		if err := c.SetText(key, value); err != nil {
			probs = append(probs, Problem{Key: key, Msg: err.Error()})
		}
	}
	if len(probs) > 0 {
		return &Error{File: label, Problems: probs}
	}
	*s = *c
	return nil
}

// Clone returns a deep copy of the scenario: a variant can be changed and
// run without touching s, in parallel with it.
func (s *Scenario) Clone() *Scenario {
	c := deepCopy(reflect.ValueOf(s)).Interface().(*Scenario)
	c.refused = maps.Clone(s.refused)
	return c
}

// deepCopy copies v and everything it points to: pointers, slices, maps and
// interfaces are copied, not shared.
func deepCopy(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Elem().Type())
		c.Elem().Set(deepCopy(v.Elem()))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(deepCopy(v.Elem()))
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(deepCopy(v.Index(i)))
		}
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		it := v.MapRange()
		for it.Next() {
			c.SetMapIndex(it.Key(), deepCopy(it.Value()))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // unexported fields too, shallowly
		for i := range v.NumField() {
			if c.Field(i).CanSet() {
				c.Field(i).Set(deepCopy(v.Field(i)))
			}
		}
		return c
	}
	return v
}
