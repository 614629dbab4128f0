package scenarios

import (
	"reflect"
	"strings"

	"github.com/tranche-sim/tranche/policy"
)

// ParameterTable returns the Markdown tables of every scenario parameter
// (key, default, allowed values, plausible range, meaning, rationale),
// generated from the
// struct tags of the default scenario. docs/model.md embeds it; a test keeps
// the two in step.
func ParameterTable() string {
	var b strings.Builder
	d := Default()
	table(&b, "Top level", "", reflect.ValueOf(d).Elem(), true) // with the top-level arrays of tables
	eachField(reflect.ValueOf(d).Elem(), func(name string, sf reflect.StructField, fv reflect.Value) {
		if sf.Type.Kind() == reflect.Struct {
			table(&b, "["+name+"]", name, fv, true)
		}
	})
	return b.String()
}

// PolicyParameterTable returns the Markdown table of one built-in policy's
// parameters; docs/policies.md embeds them.
func PolicyParameterTable(name string) string {
	e, ok := policy.Lookup(name)
	if !ok {
		return ""
	}
	var b strings.Builder
	table(&b, "", "policy."+name, reflect.ValueOf(e.Defaults()).Elem(), false)
	return b.String()
}

func table(b *strings.Builder, title, prefix string, v reflect.Value, heading bool) {
	var rows []string
	var arrays []func()
	eachField(v, func(name string, sf reflect.StructField, fv reflect.Value) {
		switch {
		case sf.Type.Kind() == reflect.Struct:
			return // its own table
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
			arrays = append(arrays, func() { arrayTable(b, join(prefix, name), sf, fv) })
			return
		}
		rows = append(rows, row(join(prefix, name), tomlValue(fv), sf))
	})
	if len(rows) > 0 {
		if heading {
			b.WriteString("\n#### " + title + "\n\n")
		}
		b.WriteString("| key | default | allowed | plausible | meaning | rationale of the default |\n|---|---|---|---|---|---|\n")
		for _, r := range rows {
			b.WriteString(r)
		}
	}
	for _, f := range arrays {
		f()
	}
}

// arrayTable documents an array of tables: one row per field, with the
// values of the default elements and the default for elements a user adds.
func arrayTable(b *strings.Builder, path string, sf reflect.StructField, v reflect.Value) {
	b.WriteString("\n#### [[" + path + "]]\n\n")
	if doc := sf.Tag.Get("doc"); doc != "" {
		b.WriteString(cell(strings.ToUpper(doc[:1])+doc[1:]) + ". ")
	}
	b.WriteString("The defaults column lists the default elements' values in order; a key left out of an element you add takes the value after \"new:\".\n\n")
	b.WriteString("| key | defaults | allowed | plausible | meaning | rationale of the default |\n|---|---|---|---|---|---|\n")
	et := sf.Type.Elem()
	for i := range et.NumField() {
		f := et.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
		var vals []string
		for j := range v.Len() {
			vals = append(vals, tomlValue(v.Index(j).Field(i)))
		}
		def := strings.Join(vals, ", ")
		switch {
		case f.Tag.Get("required") == "true":
			def += "; new: required"
		case f.Tag.Get("default") != "":
			def += "; new: " + f.Tag.Get("default")
		}
		b.WriteString(row(path+"[]."+name, def, f))
	}
}

func row(key, value string, sf reflect.StructField) string {
	allowed, plausible := "", ""
	if r, err := ParseRange(sf.Tag.Get("range")); err == nil {
		allowed = r.String()
	}
	if one := sf.Tag.Get("oneof"); one != "" {
		allowed = strings.ReplaceAll(one, ",", ", ")
	}
	if r, err := ParseRange(sf.Tag.Get("plausible")); err == nil {
		plausible = r.String()
	}
	return "| `" + key + "` | " + cell(value) + " | " + allowed + " | " + plausible + " | " + cell(sf.Tag.Get("doc")) + " | " + cell(sf.Tag.Get("why")) + " |\n"
}

func cell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }
