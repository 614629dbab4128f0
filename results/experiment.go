package results

import (
	"encoding/csv"
	"strconv"
	"strings"
)

// The tables of an experiment's results folder. Each starts with the
// point's number and one column per parameter varied, so that every table
// can be filtered by the parameters' values without a join.
const (
	// DesignCSV lists the design points.
	DesignCSV = "design.csv"
	// PointsCSV has one row per point, policy and metric.
	PointsCSV = "points.csv"
	// BestCSV has one row per point and metric: the best policy and those
	// that cannot be told apart from it.
	BestCSV = "best.csv"
	// EffectsCSV has, for factorial designs, each level's paired
	// difference from the first level of its parameter, the other
	// parameters held where they are.
	EffectsCSV = "effects.csv"
)

// DesignHeader returns the header of design.csv.
func DesignHeader(params []string) []string {
	return append([]string{"point"}, params...)
}

// DesignExtras returns the columns design.csv has after the parameters,
// for a design ("factorial", "lhs", "sobol", "morris" or "saltelli") and
// streams ("common" or "independent"): each point's seed with independent
// streams, and each point's part in a sensitivity design (a Morris
// point's trajectory and step; a Saltelli point's base row, its matrix A,
// B, AB or BA, and the parameter whose column it takes from the other
// matrix), so that an analysis reads them from the table, not from the
// row order.
func DesignExtras(design, streams string) []string {
	var out []string
	if streams == "independent" {
		out = append(out, "seed")
	}
	switch design {
	case "morris":
		out = append(out, "trajectory", "step")
	case "saltelli":
		out = append(out, "base", "matrix", "column")
	}
	return out
}

// PointsHeader returns the header of points.csv.
func PointsHeader(params []string) []string {
	h := DesignHeader(params)
	return append(h, "policy", "metric", "n", "mean", "sd", "ci95_lo", "ci95_hi", "diff", "diff_ci95_lo", "diff_ci95_hi")
}

// BestHeader returns the header of best.csv.
func BestHeader(params []string) []string {
	h := DesignHeader(params)
	return append(h, "metric", "best", "mean", "ci95_lo", "ci95_hi", "tied")
}

// EffectsHeader returns the header of effects.csv.
func EffectsHeader(params []string) []string {
	h := DesignHeader(params)
	return append(h, "parameter", "level", "reference_point", "reference_level", "policy", "metric", "n", "diff", "ci95_lo", "ci95_hi")
}

// TiedSeparator separates the policies of best.csv's tied column (a
// policy's name cannot hold it).
const TiedSeparator = ";"

// PointTables writes a point's rows of the points and best tables as CSV
// records, into the writers given; it keeps its buffers between points.
type PointTables struct {
	rec    []string
	num    []byte
	quoted map[string]string // strings as CSV fields, by encoding/csv
}

// field returns s as a CSV field, quoted as encoding/csv quotes it,
// remembered: policies and metrics repeat on every row.
func (t *PointTables) field(s string) string {
	q, ok := t.quoted[s]
	if !ok {
		if t.quoted == nil {
			t.quoted = map[string]string{}
		}
		q = csvField(s)
		if len(t.quoted) < 4096 {
			t.quoted[s] = q
		}
	}
	return q
}

// AppendPoints appends the rows of one point of the points table to b, as
// Points writes them, byte for byte: the point and its values are encoded
// by encoding/csv once, policies and metrics once per run, and the
// numbers, which never need quotes, are appended as they are.
func (t *PointTables) AppendPoints(b []byte, point int, values []string, rows []PointRow) []byte {
	prefix := len(b)
	b = strconv.AppendInt(b, int64(point), 10)
	for _, v := range values {
		b = append(b, ',')
		b = append(b, t.field(v)...)
	}
	head := string(b[prefix:])
	b = b[:prefix]
	for _, r := range rows {
		b = append(b, head...)
		b = append(b, ',')
		b = append(b, t.field(r.Policy)...)
		b = append(b, ',')
		b = append(b, t.field(r.Metric)...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(r.N), 10)
		for _, x := range [...]float64{r.Mean, r.SD, r.CI95[0], r.CI95[1], r.Diff, r.DiffCI95[0], r.DiffCI95[1]} {
			b = append(b, ',')
			b = AppendFloat(b, x)
		}
		b = append(b, '\n')
	}
	return b
}

// start begins a record with the point and its parameter values.
func (t *PointTables) start(point int, values []string) {
	t.rec = append(t.rec[:0], strconv.Itoa(point))
	t.rec = append(t.rec, values...)
}

// f adds a number: the shortest form that reads back exactly, empty for
// NaN.
func (t *PointTables) f(x float64) {
	t.num = AppendFloat(t.num[:0], x)
	t.rec = append(t.rec, string(t.num))
}

// Points writes the rows of one point of the points table.
func (t *PointTables) Points(w *csv.Writer, point int, values []string, rows []PointRow) error {
	for _, r := range rows {
		t.start(point, values)
		t.rec = append(t.rec, r.Policy, r.Metric, strconv.Itoa(r.N))
		t.f(r.Mean)
		t.f(r.SD)
		t.f(r.CI95[0])
		t.f(r.CI95[1])
		t.f(r.Diff)
		t.f(r.DiffCI95[0])
		t.f(r.DiffCI95[1])
		if err := w.Write(t.rec); err != nil {
			return err
		}
	}
	return nil
}

// Best writes the rows of one point of the best table.
func (t *PointTables) Best(w *csv.Writer, point int, values []string, best []Best) error {
	for _, b := range best {
		t.start(point, values)
		t.rec = append(t.rec, b.Metric, b.Policy)
		t.f(b.Stats.Mean)
		t.f(b.Stats.CI95[0])
		t.f(b.Stats.CI95[1])
		t.rec = append(t.rec, strings.Join(b.Tied, TiedSeparator))
		if err := w.Write(t.rec); err != nil {
			return err
		}
	}
	return nil
}

// Effect is one row of effects.csv: a policy's paired difference on one
// metric between a design point and its reference point, which differs
// from it only in one parameter, set to that parameter's first level.
type Effect struct {
	Parameter             string
	Level, ReferenceLevel string
	ReferencePoint        int
	Policy, Metric        string
	Difference
}

// Effects writes rows of the effects table for one point.
func (t *PointTables) Effects(w *csv.Writer, point int, values []string, effects []Effect) error {
	for _, e := range effects {
		t.start(point, values)
		t.rec = append(t.rec, e.Parameter, e.Level, strconv.Itoa(e.ReferencePoint), e.ReferenceLevel, e.Policy, e.Metric, strconv.Itoa(e.N))
		t.f(e.Mean)
		t.f(e.CI95[0])
		t.f(e.CI95[1])
		if err := w.Write(t.rec); err != nil {
			return err
		}
	}
	return nil
}
