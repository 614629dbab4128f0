package scenarios

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Range is an interval of allowed values, parsed from a struct tag such as
// `range:"(0,1]"`.
type Range struct {
	Lo, Hi         float64
	OpenLo, OpenHi bool
}

// ParseRange parses an interval written as [lo,hi], (lo,hi], [lo,hi) or
// (lo,hi); lo may be -inf and hi inf.
func ParseRange(s string) (Range, error) {
	var r Range
	if len(s) < 5 || !strings.ContainsAny(s[:1], "[(") || !strings.ContainsAny(s[len(s)-1:], "])") {
		return r, fmt.Errorf("range %q: want [lo,hi] with [ or ( and ] or )", s)
	}
	lo, hi, ok := strings.Cut(s[1:len(s)-1], ",")
	if !ok {
		return r, fmt.Errorf("range %q: want two bounds", s)
	}
	var err error
	if r.Lo, err = strconv.ParseFloat(strings.TrimSpace(lo), 64); err != nil {
		return r, fmt.Errorf("range %q: %w", s, err)
	}
	if r.Hi, err = strconv.ParseFloat(strings.TrimSpace(hi), 64); err != nil {
		return r, fmt.Errorf("range %q: %w", s, err)
	}
	r.OpenLo, r.OpenHi = s[0] == '(', s[len(s)-1] == ')'
	return r, nil
}

// Contains reports whether x is in the range (never for NaN).
func (r Range) Contains(x float64) bool {
	if math.IsNaN(x) {
		return false
	}
	if x < r.Lo || r.OpenLo && x == r.Lo || x > r.Hi || r.OpenHi && x == r.Hi {
		return false
	}
	return true
}

// String writes the range as it is written in tags, with ∞ for infinity.
func (r Range) String() string {
	lo, hi := "[", "]"
	if r.OpenLo {
		lo = "("
	}
	if r.OpenHi {
		hi = ")"
	}
	f := func(x float64) string {
		switch {
		case math.IsInf(x, 1):
			return "inf"
		case math.IsInf(x, -1):
			return "-inf"
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return lo + f(r.Lo) + "," + f(r.Hi) + hi
}

// Field describes one scalar parameter found by walking a parameter struct.
type Field struct {
	// Key is the dotted TOML path, with [i] for array elements.
	Key string
	// Value is the field itself (settable when the walk started from a
	// pointer).
	Value reflect.Value
	// Tag is the field's struct tag.
	Tag reflect.StructTag
}

// walk calls fn for every scalar field (number, string, bool, list of
// strings) below v, depth first in declaration order. Nested structs are
// tables; slices of structs are arrays of tables.
func walk(prefix string, v reflect.Value, fn func(Field)) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		fv := v.Field(i)
		if sf.Anonymous && sf.Type.Kind() == reflect.Struct {
			walk(prefix, fv, fn)
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("toml"), ",")
		if name == "" || name == "-" {
			continue
		}
		key := join(prefix, name)
		switch {
		case sf.Type.Kind() == reflect.Struct:
			walk(key, fv, fn)
		case sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct:
			for j := range fv.Len() {
				walk(key+"["+strconv.Itoa(j)+"]", fv.Index(j), fn)
			}
		default:
			fn(Field{Key: key, Value: fv, Tag: sf.Tag})
		}
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// checkRanges returns a problem for every number below v that is NaN,
// infinite where the range is finite, or outside its range tag, and for
// every string not among its oneof tag's values.
func checkRanges(prefix string, v reflect.Value) []problem {
	var out []problem
	walk(prefix, v, func(f Field) {
		if one := f.Tag.Get("oneof"); one != "" && f.Value.Kind() == reflect.String {
			if !slices.Contains(strings.Split(one, ","), f.Value.String()) {
				out = append(out, problem{key: f.Key, msg: fmt.Sprintf("%s = %q%s: allowed values are %s (%s)", f.Key, f.Value.String(), closest(f.Value.String(), strings.Split(one, ","), 4), strings.ReplaceAll(one, ",", ", "), f.Tag.Get("doc"))})
			}
			return
		}
		tag := f.Tag.Get("range")
		if tag == "" {
			return
		}
		r, err := ParseRange(tag)
		if err != nil {
			out = append(out, problem{key: f.Key, msg: "bad range tag: " + err.Error()})
			return
		}
		var x float64
		switch f.Value.Kind() {
		case reflect.Float64:
			x = f.Value.Float()
		case reflect.Int, reflect.Int64:
			x = float64(f.Value.Int())
		case reflect.Uint64:
			x = float64(f.Value.Uint())
		default:
			return
		}
		if !r.Contains(x) {
			out = append(out, problem{key: f.Key, msg: fmt.Sprintf("%s = %s is out of range: allowed %s (%s)", f.Key, formatValue(f.Value), r, f.Tag.Get("doc"))})
		}
	})
	return out
}

// setString sets a scalar field (or a list of strings, comma-separated)
// from its text form.
func setString(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("cannot set %s from a tag", v.Type())
		}
		parts := []string{} // empty, not nil: what the decoder makes of []
		if s != "" {
			parts = strings.Split(s, ",")
		}
		v.Set(reflect.ValueOf(parts))
	case reflect.Float64:
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return err
		}
		v.SetFloat(x)
	case reflect.Int, reflect.Int64:
		x, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(x)
	default:
		return fmt.Errorf("cannot set %s from a tag", v.Kind())
	}
	return nil
}

func formatValue(v reflect.Value) string {
	switch v.Kind() {
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	case reflect.String:
		return strconv.Quote(v.String())
	}
	return fmt.Sprint(v.Interface())
}
