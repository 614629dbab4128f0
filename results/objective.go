package results

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tranche-sim/tranche/sim"
)

// Objective is a weighted sum of metrics, such as
// "durable_agreement - 0.5*humanitarian_shortfall", evaluated per
// replication so that its mean gets a confidence interval like any metric.
type Objective struct {
	// Expr is the expression as given.
	Expr string
	// Terms are its terms; Const is its constant part.
	Terms []Term
	Const float64
}

// Term is one weighted metric of an objective.
type Term struct {
	Coef   float64
	Metric int // index in the metric list
	Key    string
}

// ParseObjective parses a weighted sum of metric keys: terms joined by + or
// -, each a number, a metric key, or a number times a key (number*key or
// number key). It is a small parser, not an evaluator of arbitrary code.
func ParseObjective(expr string, metrics []sim.Metric) (*Objective, error) {
	o := &Objective{Expr: expr}
	toks, err := tokenize(expr)
	if err != nil {
		return nil, fmt.Errorf("objective %q: %w", expr, err)
	}
	if len(toks) == 0 {
		return nil, fmt.Errorf("objective is empty: write a weighted sum of metrics, for example 'settlement - 0.5*humanitarian_shortfall'")
	}
	index := map[string]int{}
	var keys []string
	for i, m := range metrics {
		index[m.Key] = i
		keys = append(keys, m.Key)
	}
	i := 0
	for first := true; i < len(toks); first = false {
		sign := 1.0
		switch {
		case toks[i] == "+" || toks[i] == "-":
			if toks[i] == "-" {
				sign = -1
			}
			i++
		case !first:
			return nil, fmt.Errorf("objective %q: expected + or - before %q", expr, toks[i])
		}
		if i >= len(toks) {
			return nil, fmt.Errorf("objective %q: ends with an operator", expr)
		}
		if toks[i] == "+" || toks[i] == "-" || toks[i] == "*" {
			return nil, fmt.Errorf("objective %q: two operators in a row before %q; write a negative weight as '- 0.5*key'", expr, toks[i])
		}
		coef := 1.0
		if x, err := strconv.ParseFloat(toks[i], 64); err == nil {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, fmt.Errorf("objective %q: %q is not a finite number", expr, toks[i])
			}
			coef = x
			i++
			if i < len(toks) && toks[i] == "*" {
				i++
			}
			if i >= len(toks) || toks[i] == "+" || toks[i] == "-" {
				o.Const += sign * coef
				continue
			}
		}
		key := toks[i]
		k, ok := index[key]
		if !ok {
			return nil, fmt.Errorf("objective %q: unknown metric %q; metrics: %s", expr, key, strings.Join(keys, ", "))
		}
		if why := metrics[k].Undefined; why != "" {
			return nil, fmt.Errorf("objective %q: %s cannot be part of an objective: it is undefined %s, so each policy's mean would cover a different set of replications and the ranking would compare unlike things; metrics defined in every replication: %s",
				expr, key, why, strings.Join(definedKeys(metrics), ", "))
		}
		o.Terms = append(o.Terms, Term{Coef: sign * coef, Metric: k, Key: key})
		i++
		if i < len(toks) && toks[i] == "*" {
			return nil, fmt.Errorf("objective %q: write the weight before the metric, as 0.5*%s", expr, key)
		}
	}
	if len(o.Terms) == 0 {
		return nil, fmt.Errorf("objective %q: names no metric", expr)
	}
	if m := o.Metric(metrics); !(math.Abs(m.Lo) <= MaxAbs && math.Abs(m.Hi) <= MaxAbs) {
		return nil, fmt.Errorf("objective %q: its values could reach [%g, %g], beyond ±%g, the largest magnitude the exact sums hold; use smaller weights", expr, m.Lo, m.Hi, float64(MaxAbs))
	}
	return o, nil
}

func tokenize(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '+' || c == '-' || c == '*':
			toks = append(toks, string(c))
			i++
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.' || s[j] == 'e' || s[j] == 'E' ||
				(s[j] == '-' || s[j] == '+') && (s[j-1] == 'e' || s[j-1] == 'E')) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(s) && (s[j] == '_' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, fmt.Errorf("unexpected %q at position %d: only metric keys, numbers, +, - and * are allowed", r, i+1)
		}
	}
	return toks, nil
}

// Eval returns the objective for one replication's metrics, rounded to
// ObjectiveDecimals decimal places. ParseObjective admits only metrics
// defined in every replication, so it is NaN only if a metric is NaN where
// its definition says it cannot be.
func (o *Objective) Eval(metrics []float64) float64 {
	v := o.Const
	for _, t := range o.Terms {
		v += t.Coef * metrics[t.Metric]
	}
	return roundDecimals(v, ObjectiveDecimals)
}

// Metric returns the objective's definition as a metric, with bounds from
// its terms' bounds.
func (o *Objective) Metric(metrics []sim.Metric) sim.Metric {
	lo, hi := o.Const, o.Const
	for _, t := range o.Terms {
		a, b := t.Coef*metrics[t.Metric].Lo, t.Coef*metrics[t.Metric].Hi
		lo += min(a, b)
		hi += max(a, b)
	}
	if hi == lo {
		hi = lo + 1
	}
	return sim.Metric{Key: "objective", Doc: "user objective: " + o.Expr, Unit: "objective units", Kind: sim.Level, Lo: lo, Hi: hi, Better: +1, Label: "Objective"}
}

// definedKeys returns the keys of the metrics defined in every replication.
func definedKeys(metrics []sim.Metric) []string {
	var keys []string
	for _, m := range metrics {
		if m.Undefined == "" {
			keys = append(keys, m.Key)
		}
	}
	return keys
}
