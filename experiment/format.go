package experiment

import (
	"bytes"
	"fmt"
	"github.com/tranche-sim/tranche/internal/tomltext"
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
	fmt.Fprintf(&b, "name = %s\n", tomltext.Quote(e.Name))
	if e.Description != "" {
		fmt.Fprintf(&b, "description = %s\n", tomltext.Quote(e.Description))
	}
	b.WriteString("# the base scenario, with the experiment's [set] applied\n")
	fmt.Fprintf(&b, "scenario = %s\n", tomltext.Quote(scenarioFile))
	fmt.Fprintf(&b, "policies = %s\n", stringList(e.Policies))
	fmt.Fprintf(&b, "baseline = %s\n", tomltext.Quote(e.Baseline))
	fmt.Fprintf(&b, "replications = %d\n", e.Replications)
	fmt.Fprintf(&b, "seed = %d\n", e.Seed)
	fmt.Fprintf(&b, "design = %s\n", tomltext.Quote(e.Design))
	if e.Design != Factorial {
		fmt.Fprintf(&b, "samples = %d\n", e.Samples)
	}
	switch e.Design {
	case Morris:
		fmt.Fprintf(&b, "morris_levels = %d\n", e.MorrisLevels)
	case Saltelli:
		fmt.Fprintf(&b, "second_order = %t\n", e.SecondOrder)
	}
	fmt.Fprintf(&b, "streams = %s\n", tomltext.Quote(e.Streams))
	if len(e.Metrics) > 0 {
		fmt.Fprintf(&b, "metrics = %s\n", stringList(e.Metrics))
	}
	if e.Objective != "" {
		fmt.Fprintf(&b, "objective = %s\n", tomltext.Quote(e.Objective))
	}
	for _, p := range e.Parameters {
		b.WriteString("\n[[parameters]]\n")
		fmt.Fprintf(&b, "key = %s\n", tomltext.Quote(p.Key))
		fmt.Fprintf(&b, "name = %s\n", tomltext.Quote(p.Name))
		if p.Distribution != "" {
			fmt.Fprintf(&b, "range = [%s, %s]\n", tomlValue(p.Range[0]), tomlValue(p.Range[1]))
			fmt.Fprintf(&b, "distribution = %s\n", tomltext.Quote(p.Distribution))
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
		return tomltext.Float(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case string:
		return tomltext.Quote(x)
	}
	return tomltext.Quote(fmt.Sprint(v))
}

func stringList(ss []string) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = tomltext.Quote(s)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
