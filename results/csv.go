package results

import (
	"encoding/csv"
	"io"
	"strings"
)

// Every CSV file a results folder has is written through encoding/csv, so
// that any string in it (a policy's or a metric's name) is quoted where it
// must be and every reader (encoding/csv, pandas, R, DuckDB) reads back the
// same fields.

// csvTable writes a CSV table: a header, then records.
type csvTable struct {
	w   *csv.Writer
	rec []string
}

// newCSVTable starts a table with the given header line (fields separated
// by commas, without quotes) on w.
func newCSVTable(w io.Writer, header string) (*csvTable, error) {
	t := &csvTable{w: csv.NewWriter(w)}
	head := strings.Split(strings.TrimSuffix(header, "\n"), ",")
	t.rec = make([]string, 0, len(head))
	return t, t.w.Write(head)
}

// row starts a record.
func (t *csvTable) row() *csvTable { t.rec = t.rec[:0]; return t }

// str adds a string field.
func (t *csvTable) str(s string) *csvTable { t.rec = append(t.rec, s); return t }

// num adds a number in the shortest form that reads back exactly; NaN is an
// empty field.
func (t *csvTable) num(x float64) *csvTable {
	t.rec = append(t.rec, string(AppendFloat(nil, x)))
	return t
}

// end writes the record.
func (t *csvTable) end() error { return t.w.Write(t.rec) }

// close flushes the table and returns the first error in writing it.
func (t *csvTable) close() error {
	t.w.Flush()
	return t.w.Error()
}

// csvField returns s as one field of a CSV record, quoted as encoding/csv
// quotes it: the replications table, written in bulk, encodes its one
// string field (the policy) with it once per study.
func csvField(s string) string {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{s, ""}) // a second field: a lone empty field is written as ""
	w.Flush()
	return strings.TrimSuffix(b.String(), ",\n")
}
