package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/tranche-sim/tranche/scenarios"
)

const paramsUsage = `Usage: tranche params [SCENARIO] [--json]

Lists the parameters of a scenario (default: the bundled default scenario)
by the keys that set them: each with its value in the scenario, its allowed
range (or values), its plausible range for exploring it, and its meaning.
Any of them can be set on the command line with tranche run --set KEY=VALUE;
an element of a list is addressed by index or by name
(coalition.members[0].resolve, coalition.members[lead-state].resolve) and
every element at once with [*] (coalition.members[*].resolve); quote such
keys in a shell, which reads brackets as file patterns:
--set 'coalition.members[*].resolve=0.5'. A built-in policy's parameters are
policy.NAME.KEY whether or not the scenario runs it.
`

// paramsOptions are the arguments and flags of tranche params.
type paramsOptions struct {
	scenario string
	json     bool
}

func parseParams(args []string, w io.Writer) (*paramsOptions, error) {
	o := &paramsOptions{}
	fs := usageFlagSet("tranche params", paramsUsage, w)
	fs.BoolVar(&o.json, "json", false, "print the list as JSON, one object per parameter")
	var err error
	if o.scenario, _, err = parseScenarioArgs(fs, args); err != nil {
		return nil, err
	}
	return o, nil
}

func listParams(args []string, stdout, stderr io.Writer) error {
	o, err := parseParams(args, stderr)
	if err != nil {
		return err
	}
	s, err := loadScenario(o.scenario)
	if err != nil {
		return err
	}
	ps := s.Parameters()
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ps)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "key\tvalue\tallowed\tplausible\tmeaning")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Key, clipText(paramValue(p.Value), 36), allowed(p), plausible(p), p.Doc)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "\n%d parameters of scenario %s. Set one with tranche run --set KEY=VALUE; [*] sets every element of a list.\n", len(ps), s.Name)
	return err
}

// paramValue writes a parameter's value as TOML does.
func paramValue(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []string:
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func allowed(p scenarios.Param) string {
	switch {
	case p.Allowed != nil:
		return p.Allowed.String()
	case len(p.Choices) > 0:
		return strings.Join(p.Choices, "|")
	case p.Type == scenarios.Integer:
		return "whole number"
	}
	return string(p.Type)
}

func plausible(p scenarios.Param) string {
	if p.Plausible == nil {
		return "-"
	}
	return p.Plausible.String()
}

// clipText shortens s to at most n characters, marking the cut with "...".
func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}
