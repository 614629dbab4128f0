package experiment

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Format writes the experiment resolved: every setting written out, the
// parameters with their ranges or levels, and the base scenario named as
// scenarioFile (the results folder's copy of it, with [set] applied).
// Parsing the text with that scenario beside it gives the same experiment.
func Format(e *Experiment, scenarioFile string) []byte {
	var b bytes.Buffer
	b.WriteString("# tranche experiment, resolved: every setting is written out.\n")
	fmt.Fprintf(&b, "name = %s\n", quote(e.Name))
	if e.Description != "" {
		fmt.Fprintf(&b, "description = %s\n", quote(e.Description))
	}
	b.WriteString("# the base scenario, with the experiment's [set] applied\n")
	fmt.Fprintf(&b, "scenario = %s\n", quote(scenarioFile))
	fmt.Fprintf(&b, "policies = %s\n", stringList(e.Policies))
	fmt.Fprintf(&b, "baseline = %s\n", quote(e.Baseline))
	fmt.Fprintf(&b, "replications = %d\n", e.Replications)
	fmt.Fprintf(&b, "seed = %d\n", e.Seed)
	fmt.Fprintf(&b, "design = %s\n", quote(e.Design))
	if e.Design != Factorial {
		fmt.Fprintf(&b, "samples = %d\n", e.Samples)
	}
	switch e.Design {
	case Morris:
		fmt.Fprintf(&b, "morris_levels = %d\n", e.MorrisLevels)
	case Saltelli:
		fmt.Fprintf(&b, "second_order = %t\n", e.SecondOrder)
	}
	fmt.Fprintf(&b, "streams = %s\n", quote(e.Streams))
	if len(e.Metrics) > 0 {
		fmt.Fprintf(&b, "metrics = %s\n", stringList(e.Metrics))
	}
	if e.Objective != "" {
		fmt.Fprintf(&b, "objective = %s\n", quote(e.Objective))
	}
	for _, p := range e.Parameters {
		b.WriteString("\n[[parameters]]\n")
		fmt.Fprintf(&b, "key = %s\n", quote(p.Key))
		fmt.Fprintf(&b, "name = %s\n", quote(p.Name))
		if p.Distribution != "" {
			fmt.Fprintf(&b, "range = [%s, %s]\n", tomlValue(p.Range[0]), tomlValue(p.Range[1]))
			fmt.Fprintf(&b, "distribution = %s\n", quote(p.Distribution))
			continue
		}
		parts := make([]string, len(p.Levels))
		for i, l := range p.Levels {
			parts[i] = tomlValue(l)
		}
		fmt.Fprintf(&b, "levels = [%s]\n", strings.Join(parts, ", "))
	}
	return b.Bytes()
}

// tomlValue writes a level or an end of a range as TOML.
func tomlValue(v any) string {
	switch x := v.(type) {
	case float64:
		return tomlFloat(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return quote(x)
	}
	return quote(fmt.Sprint(v))
}

// tomlFloat writes a float so that TOML reads it back as the same float.
func tomlFloat(x float64) string {
	switch {
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case math.IsNaN(x):
		return "nan"
	}
	s := strconv.FormatFloat(x, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// quote writes a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func stringList(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = quote(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
