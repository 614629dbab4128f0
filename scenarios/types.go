package scenarios

import (
	"github.com/tranche-sim/tranche/internal/tomltext"
	"reflect"
	"strings"
)

// wants says what a field takes, with its allowed range or values.
func wants(f Field) string {
	var what string
	switch f.Value.Kind() {
	case reflect.Float64:
		what = "a number"
	case reflect.Int, reflect.Int64, reflect.Uint64:
		what = "a whole number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		if one := f.Tag.Get("oneof"); one != "" {
			return "one of " + strings.ReplaceAll(one, ",", ", ")
		}
		return "a string in quotes"
	case reflect.Slice:
		return "a list of strings, such as [\"a\", \"b\"]"
	default:
		return "a " + f.Value.Kind().String()
	}
	if r, err := ParseRange(f.Tag.Get("range")); err == nil && f.Tag.Get("range") != "" {
		what += " in " + r.String()
	}
	return what
}

// valueText returns the value written on line ln of text (1-based), from
// after its key's "=" to the end of the line or a comment, or "" if the
// line holds no such value.
func valueText(text string, ln int) string {
	lines := strings.Split(text, "\n")
	if ln < 1 || ln > len(lines) {
		return ""
	}
	_, v, ok := strings.Cut(lines[ln-1], "=")
	if !ok {
		return ""
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	if q := v[0]; q == '"' || q == '\'' { // a string: up to its closing quote
		if end := strings.IndexByte(v[1:], q); end >= 0 {
			return v[:end+2]
		}
		return v
	}
	if i := strings.IndexByte(v, '#'); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if tomltext.BracketBalance(v) > 0 { // a list or table continued on later lines
		return v + " …"
	}
	return v
}
