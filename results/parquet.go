package results

import (
	"errors"
	"fmt"
	"io"
	"math"
	"runtime/debug"
	"strings"

	"github.com/parquet-go/parquet-go"

	"github.com/tranche-sim/tranche/sim"
)

// RowGroupRows is the largest number of rows buffered before a row group is
// written. A writer holds one row group in memory (its compressed pages,
// and a page being filled for each column), so its memory is bounded by
// this number, not by the length of the study: for the 21 columns of the
// default model's replications table, 32768 rows are 5.5 MiB of values
// before compression (plus a 16 MiB Zstd encoder, pooled and shared by
// every writer of the process). Even a small study of 10,000 replications
// of 5 policies fills a row group, so a larger study needs no more memory.
// 32768 rows are still enough for readers to scan each column in long runs
// and for the per-row-group metadata to be negligible (DuckDB writes
// 122,880 rows per group, Arrow up to 1Mi).
const RowGroupRows = 32768

// parquetBatchRows is the number of rows collected before they are handed
// to the parquet writer (which works in slices of 64 rows).
const parquetBatchRows = 256

// parquetTable streams rows of a fixed schema to a Parquet file: rows are
// collected in a reused batch and written in row groups of at most
// RowGroupRows rows.
type parquetTable struct {
	w     *parquet.GenericWriter[any]
	batch []parquet.Row // parquetBatchRows rows, reused
	n     int           // rows in batch
	bytes map[string][]byte
	err   error // sticky: set by the first failure and by Close
}

// column is one column of a table's schema.
type column struct {
	name string
	node parquet.Node
}

// stringColumn is a required, dictionary-encoded UTF-8 string column.
func stringColumn(name string) column {
	return column{name, parquet.Encoded(parquet.String(), &parquet.RLEDictionary)}
}

// int64Column is a required signed 64-bit integer column.
func int64Column(name string) column {
	return column{name, parquet.Int(64)}
}

// doubleColumn is an optional (nullable) double column: null marks an
// undefined value (NaN in tranche).
func doubleColumn(name string) column {
	return column{name, parquet.Optional(parquet.Leaf(parquet.DoubleType))}
}

// nullableInt64Column is an optional (nullable) signed 64-bit integer
// column, for counts and 0/1 outcomes: CSV readers load those as integers,
// so Parquet readers get integers too.
func nullableInt64Column(name string) column {
	return column{name, parquet.Optional(parquet.Int(64))}
}

// metricColumn is the column of a metric: a nullable integer for a count or
// a proportion (0 or 1 per replication), a nullable double for a level.
func metricColumn(m sim.Metric) column {
	if m.Kind == sim.Level {
		return doubleColumn(m.Key)
	}
	return nullableInt64Column(m.Key)
}

func newParquetTable(w io.Writer, table string, cols []column) (*parquetTable, error) {
	seen := make(map[string]bool, len(cols))
	fields := make([]parquet.Field, len(cols))
	group := make(parquet.Group, len(cols))
	for i, c := range cols {
		if c.name == "" || seen[c.name] {
			return nil, fmt.Errorf("parquet %s table: empty or repeated column name %q", table, c.name)
		}
		seen[c.name] = true
		group[c.name] = c.node
		fields[i] = parquet.Group{c.name: c.node}.Fields()[0]
	}
	schema := parquet.NewSchema(table, orderedGroup{Group: group, fields: fields})
	config, err := parquet.NewWriterConfig(
		schema,
		&parquet.WriterConfig{CreatedBy: createdBy()},
		parquet.KeyValueMetadata("tranche.table", table),
		parquet.Compression(&parquet.Zstd),
		// Version 1 data pages are the ones every reader supports.
		parquet.DataPageVersion(1),
		parquet.MaxRowsPerRowGroup(RowGroupRows),
	)
	if err != nil {
		return nil, err
	}
	t := &parquetTable{w: parquet.NewGenericWriter[any](w, config), batch: make([]parquet.Row, parquetBatchRows), bytes: map[string][]byte{}}
	for i := range t.batch {
		t.batch[i] = make(parquet.Row, 0, len(cols))
	}
	return t, nil
}

// orderedGroup is a parquet group whose fields keep the order they were
// given in (parquet.Group orders them by name).
type orderedGroup struct {
	parquet.Group
	fields []parquet.Field
}

// Fields returns the fields in column order.
func (g orderedGroup) Fields() []parquet.Field { return g.fields }

// createdBy is the created_by field of the files written, in the form the
// Parquet specification asks for: "<application> version <version> (build
// <hash>)".
func createdBy() string {
	version, build := "(devel)", ""
	if info, ok := debug.ReadBuildInfo(); ok {
		if info.Main.Version != "" {
			version = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				build = s.Value
			}
		}
	}
	s := "tranche version " + version
	if build != "" {
		s += " (build " + build + ")"
	}
	return s
}

// row returns the next row of the batch, emptied, to be filled with the
// table's columns in order and then passed to add.
func (t *parquetTable) row() parquet.Row { return t.batch[t.n][:0] }

// add appends the row returned by row, filled.
func (t *parquetTable) add(r parquet.Row) error {
	t.batch[t.n] = r
	if t.n++; t.n == len(t.batch) {
		return t.flush()
	}
	return nil
}

// flush hands the batch to the parquet writer.
func (t *parquetTable) flush() error {
	if t.n == 0 {
		return nil
	}
	_, err := t.w.WriteRows(t.batch[:t.n])
	t.n = 0
	if err != nil {
		t.err = err
	}
	return err
}

func (t *parquetTable) close() error {
	if t.err != nil {
		return t.err
	}
	if err := t.flush(); err != nil {
		return err
	}
	err := t.w.Close()
	t.err = errors.New("parquet table already closed")
	return err
}

// str returns a value of column col holding s; the bytes of repeated
// strings are shared.
func (t *parquetTable) str(s string, col int) parquet.Value {
	b, ok := t.bytes[s]
	if !ok {
		b = []byte(s)
		if len(t.bytes) < 1024 {
			t.bytes[s] = b
		}
	}
	v := parquet.ByteArrayValue(b)
	v.SetColumnIndex(col)
	return v
}

func int64Value(x int64, col int) parquet.Value {
	v := parquet.Int64Value(x)
	v.SetColumnIndex(col)
	return v
}

// nullableInt64Value returns a value of the optional integer column col
// holding x, a whole number, or null for NaN.
func nullableInt64Value(x float64, col int) (parquet.Value, error) {
	v := parquet.NullValue()
	if x == x {
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return v, fmt.Errorf("column %d: %v is not a whole number", col, x)
		}
		v = parquet.Int64Value(int64(x))
		v.SetDefinitionLevel(1)
	}
	v.SetColumnIndex(col)
	return v, nil
}

// doubleValue returns a value of the optional double column col holding x,
// null for NaN.
func doubleValue(x float64, col int) parquet.Value {
	v := parquet.NullValue()
	if x == x { // not NaN
		v = parquet.DoubleValue(x)
		v.SetDefinitionLevel(1)
	}
	v.SetColumnIndex(col)
	return v
}

// ReplicationsParquet writes the replications table as Parquet, streaming:
// rows are appended in the order given and flushed in row groups of at most
// RowGroupRows rows, so memory stays flat however many replications a study
// has. Its columns are those of replications.csv: policy (a dictionary-
// encoded string), replication (int64), then one column per metric: a
// nullable int64 for a count or a 0/1 outcome, a nullable double for a
// level, null where the value is undefined (NaN) as the CSV's empty fields
// are, so that pandas, polars, R arrow and DuckDB read it as missing and
// give each column the type they give the CSV's. Pages are Zstd-compressed.
// A ReplicationsParquet is not safe for concurrent use: write rows from one
// goroutine, in table order (from sim.Sink's Commit, for instance, which is
// called in block order).
type ReplicationsParquet struct {
	t       *parquetTable
	metrics int
	integer []bool // the metric's column holds integers
	ends    [sim.NumEnds]int
	outcome bool // the table has the outcome column (column 2)
	first   int  // the first metric's column
}

// NewReplicationsParquet starts a replications table on w with the given
// metric definitions, in column order (see Aggregate.Metrics). Rows reach
// w a row group at a time, the last one and the footer on Close, which
// does not close w.
func NewReplicationsParquet(w io.Writer, metrics []sim.Metric) (*ReplicationsParquet, error) {
	cols := []column{stringColumn("policy"), int64Column("replication")}
	r := &ReplicationsParquet{metrics: len(metrics), first: 2}
	if r.ends, r.outcome = endColumns(metrics); r.outcome {
		cols = append(cols, stringColumn(OutcomeColumn))
		r.first = 3
	}
	for _, m := range metrics {
		cols = append(cols, metricColumn(m))
		r.integer = append(r.integer, m.Kind != sim.Level)
	}
	t, err := newParquetTable(w, "replications", cols)
	if err != nil {
		return nil, err
	}
	r.t = t
	return r, nil
}

// Write appends one row: values holds one value per metric, NaN for an
// undefined one.
func (r *ReplicationsParquet) Write(policy string, replication int, values []float64) error {
	if r.t.err != nil {
		return r.t.err
	}
	if len(values) != r.metrics {
		return fmt.Errorf("replications table: %d values for %d metrics", len(values), r.metrics)
	}
	row := r.t.row()
	row = append(row, r.t.str(policy, 0), int64Value(int64(replication), 1))
	if r.outcome {
		row = append(row, r.t.str(endName(&r.ends, values), 2))
	}
	for k, x := range values {
		if !r.integer[k] {
			row = append(row, doubleValue(x, r.first+k))
			continue
		}
		v, err := nullableInt64Value(x, r.first+k)
		if err != nil {
			return fmt.Errorf("replications table, metric %d: %w", k, err)
		}
		row = append(row, v)
	}
	return r.t.add(row)
}

// Close writes the remaining rows and the footer.
func (r *ReplicationsParquet) Close() error { return r.t.close() }

// WriteRoundsParquet writes the per-round table of a as Parquet, with the
// columns of rounds.csv: policy and metric (dictionary-encoded strings),
// round (int64, from 1), and the statistics (nullable doubles, null for
// NaN).
func WriteRoundsParquet(w io.Writer, a *Aggregate) error {
	cols := []column{stringColumn("policy"), int64Column("round"), stringColumn("metric")}
	head := strings.Split(strings.TrimSpace(RoundsCSVHeader), ",")
	for _, name := range head[3:] {
		cols = append(cols, doubleColumn(name))
	}
	t, err := newParquetTable(w, "rounds", cols)
	if err != nil {
		return err
	}
	var l levels
	for p, name := range a.Policies {
		for r := range a.Rounds {
			for s, def := range a.Series {
				rr := a.roundRow(p, s, r, &l)
				row := t.row()
				row = append(row, t.str(name, 0), int64Value(int64(r+1), 1), t.str(def.Key, 2), doubleValue(rr.Mean, 3), doubleValue(rr.SD, 4))
				for i, q := range [...]float64{rr.P05, rr.P25, rr.P50, rr.P75, rr.P95} {
					row = append(row, doubleValue(q, 5+i))
				}
				for i, x := range rr.Shares {
					row = append(row, doubleValue(x, 10+i))
				}
				if err := t.add(row); err != nil {
					return err
				}
			}
		}
	}
	return t.close()
}

// CopyReplicationsParquet appends every row of the replications table in
// src (a file written by ReplicationsParquet, size bytes long) to dst, in
// order: tranche merge uses it to join shards. The table must hold, in
// order, replications first to first+n-1 with one row per policy each, the
// policies in the given order, and have dst's columns; anything else is
// refused, and so is a file the Parquet reader cannot read (its panics
// included).
func CopyReplicationsParquet(dst *ReplicationsParquet, src io.ReaderAt, size int64, policies []string, first, n int) (err error) {
	defer func() {
		if r := recover(); r != nil { // a damaged file can panic the reader
			err = fmt.Errorf("replications table: not a readable Parquet file (%v)", r)
		}
	}()
	f, err := parquet.OpenFile(src, size)
	if err != nil {
		return fmt.Errorf("replications table: %w", err)
	}
	fields := f.Schema().Fields()
	if len(fields) != dst.first+dst.metrics {
		return fmt.Errorf("replications table has %d columns, want %d", len(fields), dst.first+dst.metrics)
	}
	if dst.outcome && (fields[2].Name() != OutcomeColumn || !fields[2].Leaf() || fields[2].Type().Kind() != parquet.ByteArray) {
		return fmt.Errorf("replications table: column 3 is not %s", OutcomeColumn)
	}
	for i, fl := range fields[dst.first:] {
		want := parquet.Double
		if dst.integer[i] {
			want = parquet.Int64
		}
		if !fl.Leaf() || fl.Type().Kind() != want {
			return fmt.Errorf("replications table: column %s is not of its metric's type", fl.Name())
		}
	}
	np := len(policies)
	want := int64(n) * int64(np)
	if f.NumRows() != want {
		return fmt.Errorf("replications table has %d rows, want %d", f.NumRows(), want)
	}
	r := parquet.NewReader(f)
	defer r.Close()
	rows := make([]parquet.Row, parquetBatchRows)
	values := make([]float64, dst.metrics)
	var i int64
	for {
		k, err := r.ReadRows(rows)
		for _, row := range rows[:k] {
			if len(row) != dst.first+dst.metrics || i >= want {
				return fmt.Errorf("replications table: row %d is not as wide as the table, or beyond its %d rows", i, want)
			}
			p, rep := policies[i%int64(np)], first+int(i/int64(np))
			if row[0].Kind() != parquet.ByteArray || string(row[0].ByteArray()) != p || row[1].Kind() != parquet.Int64 || row[1].Int64() != int64(rep) {
				return fmt.Errorf("replications table: row %d is not policy %s, replication %d", i, p, rep)
			}
			for _, v := range row[dst.first:] {
				c := v.Column() - dst.first
				switch {
				case c < 0 || c >= dst.metrics:
					return fmt.Errorf("replications table: row %d has a value of column %d", i, v.Column())
				case v.IsNull():
					values[c] = math.NaN()
				case v.Kind() == parquet.Int64:
					values[c] = float64(v.Int64())
				case v.Kind() == parquet.Double:
					values[c] = v.Double()
				default:
					return fmt.Errorf("replications table: row %d has a value of kind %v", i, v.Kind())
				}
			}
			// The outcome is written again from the metrics: it must be
			// what they say.
			if dst.outcome {
				name, ok := checkEnds(&dst.ends, values)
				if !ok || row[2].Kind() != parquet.ByteArray || string(row[2].ByteArray()) != name {
					return fmt.Errorf("replications table: row %d's outcome is not the one way its 0/1 columns say the episode ended", i)
				}
			}
			if werr := dst.Write(p, rep, values); werr != nil {
				return werr
			}
			i++
		}
		if errors.Is(err, io.EOF) {
			if i != want {
				return fmt.Errorf("replications table has %d rows, want %d", i, want)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("replications table: %w", err)
		}
	}
}
