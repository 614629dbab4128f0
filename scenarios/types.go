package scenarios

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// typeMsg matches what the decoder says of a value of the wrong type, after
// the line and key that decodeErr takes off.
var typeMsg = regexp.MustCompile(`^incompatible types: TOML value has type (.+); destination has type (.+)$`)

// arrayIndex matches the [i] of array elements in a Field's key.
var arrayIndex = regexp.MustCompile(`\[\d+\]`)

// typeProblem rewrites the decoder's error for a value of the wrong type as
// a Problem that names the key, the value as written, what the key takes
// and its allowed range. root is the parameter struct decoded into, whose
// keys start with prefix; text is the file's content. It reports false for
// any other error.
func typeProblem(err error, prefix string, root reflect.Value, text string) (Problem, bool) {
	m := decodeErr.FindStringSubmatch(err.Error())
	if m == nil || m[2] == "" {
		return Problem{}, false
	}
	t := typeMsg.FindStringSubmatch(m[3])
	if t == nil {
		return Problem{}, false
	}
	line, _ := strconv.Atoi(m[1])
	key, got, want := m[2], t[1], t[2]
	value := valueText(text, line)
	if value == "" {
		value = tomlTypeName(got)
	}
	var found *Field
	walk(prefix, root, func(f Field) {
		if found == nil && arrayIndex.ReplaceAllString(f.Key, "") == key {
			found = &f
		}
	})
	if found == nil { // a key the defaults do not show, such as an element of an empty array
		return Problem{Line: line, Key: key, Msg: fmt.Sprintf("%s = %s: must be %s, not %s", key, value, tomlTypeName(want), tomlTypeName(got))}, true
	}
	msg := fmt.Sprintf("%s = %s: must be %s", key, value, wants(*found))
	if doc := found.Tag.Get("doc"); doc != "" {
		msg += " (" + doc + ")"
	}
	return Problem{Line: line, Key: key, Msg: msg}, true
}

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

// tomlTypeName names a type from the decoder's message as a user would.
func tomlTypeName(t string) string {
	switch t {
	case "float64", "float":
		return "a number with a fraction"
	case "int64", "integer":
		return "a whole number"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	}
	switch {
	case strings.HasPrefix(t, "[]"), t == "slice":
		return "a list"
	case strings.HasPrefix(t, "map"), t == "struct":
		return "a table"
	}
	return t
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
	if bracketBalance(v) > 0 { // a list or table continued on later lines
		return v + " …"
	}
	return v
}
