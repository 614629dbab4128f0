package scenarios

import (
	"bytes"
	"github.com/tranche-sim/tranche/internal/tomltext"
	"reflect"
	"strconv"
	"strings"

	"github.com/tranche-sim/tranche/policy"
)

// resolvedHeader opens every resolved scenario file (Format).
const resolvedHeader = "# tranche scenario, resolved: every parameter is listed with its value.\n"

// Format writes s as a complete TOML scenario file: every parameter with
// its value, each preceded by a comment that says what it means and what
// values are allowed. Parsing the result gives s back exactly, so a
// results folder's scenario.toml repeats the run.
func Format(s *Scenario) []byte {
	var b bytes.Buffer
	b.WriteString(resolvedHeader)
	b.WriteString("# docs/model.md explains each one; delete what you do not want to change.\n\n")
	writeTable(&b, "", reflect.ValueOf(s).Elem())
	for _, name := range s.Policies {
		p, ok := s.PolicyParams[name]
		if !ok {
			continue
		}
		path := "policy." + quoteKey(name)
		b.WriteString("\n[" + path + "]\n")
		if v, ok := p.(*policy.Variant); ok && v.Base != name {
			b.WriteString("# the built-in policy this one starts from\nbase = " + tomltext.Quote(v.Base) + "\n")
		}
		params, mods := policyParts(p)
		writeTable(&b, path, reflect.ValueOf(params).Elem())
		for _, m := range mods {
			b.WriteString("\n[[" + path + ".modifiers]]\nkind = " + tomltext.Quote(m.Kind()) + "\n")
			writeScalars(&b, reflect.ValueOf(m).Elem())
		}
	}
	return b.Bytes()
}

// writeTable writes the scalars of v, then its tables, then its arrays of
// tables, under the dotted path prefix.
func writeTable(b *bytes.Buffer, prefix string, v reflect.Value) {
	writeScalars(b, v)
	eachField(v, func(name string, sf reflect.StructField, fv reflect.Value) {
		if sf.Type.Kind() != reflect.Struct {
			return
		}
		path := join(prefix, name)
		b.WriteString("\n[" + path + "]\n")
		writeTable(b, path, fv)
	})
	eachField(v, func(name string, sf reflect.StructField, fv reflect.Value) {
		if sf.Type.Kind() != reflect.Slice || sf.Type.Elem().Kind() != reflect.Struct {
			return
		}
		path := join(prefix, name)
		if doc := sf.Tag.Get("doc"); doc != "" {
			b.WriteString("\n# " + doc + "\n")
		}
		for i := range fv.Len() {
			b.WriteString("[[" + path + "]]\n")
			writeScalars(b, fv.Index(i))
		}
	})
}

// writeScalars writes the scalar fields of v, each after its doc comment.
func writeScalars(b *bytes.Buffer, v reflect.Value) {
	eachField(v, func(name string, sf reflect.StructField, fv reflect.Value) {
		if sf.Type.Kind() == reflect.Struct || sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct {
			return
		}
		if doc := sf.Tag.Get("doc"); doc != "" {
			if r := sf.Tag.Get("range"); r != "" {
				if rg, err := ParseRange(r); err == nil {
					doc += "; allowed " + rg.String()
				}
			}
			writeComment(b, doc)
		}
		b.WriteString(quoteKey(name) + " = " + tomlValue(fv) + "\n")
	})
}

// eachField calls fn for the TOML fields of v in declaration order,
// flattening embedded structs.
func eachField(v reflect.Value, fn func(name string, sf reflect.StructField, fv reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			eachField(v.Field(i), fn)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fn(name, sf, v.Field(i))
	}
}

func writeComment(b *bytes.Buffer, text string) {
	line := "#"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > 88 && line != "#" {
			b.WriteString(line + "\n")
			line = "#"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
}

// tomlValue writes a scalar or a list of strings as TOML.
func tomlValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.String:
		return tomltext.Quote(v.String())
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float64:
		return tomltext.Float(v.Float())
	case reflect.Slice:
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = tomlValue(v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return tomltext.Quote(v.String())
}

// quoteKey quotes a key that is not a bare TOML key.
func quoteKey(k string) string {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return tomltext.Quote(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}
