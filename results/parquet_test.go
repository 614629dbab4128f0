package results

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/tranche-sim/tranche/sim"
)

// parquetFile is a Parquet file read back: the file, its column names and
// its rows.
type parquetFile struct {
	file    *parquet.File
	columns []string
	rows    []parquet.Row
}

func readParquet(t *testing.T, data []byte) parquetFile {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := parquetFile{file: f}
	for _, c := range f.Schema().Fields() {
		out.columns = append(out.columns, c.Name())
	}
	r := parquet.NewReader(bytes.NewReader(data))
	defer r.Close()
	buf := make([]parquet.Row, 100)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			out.rows = append(out.rows, row.Clone())
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if int64(len(out.rows)) != f.NumRows() {
		t.Fatalf("read %d rows, the footer says %d", len(out.rows), f.NumRows())
	}
	return out
}

// parseCSV returns the header and rows of a CSV table.
func parseCSV(t *testing.T, data []byte) ([]string, [][]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[0], recs[1:]
}

// csvFloat parses a CSV field: empty is NaN.
func csvFloat(t *testing.T, s string) float64 {
	t.Helper()
	if s == "" {
		return math.NaN()
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// checkValue checks that v holds x exactly: as a double bit for bit, or as
// an integer when the column holds integers, or is null for NaN.
func checkValue(t *testing.T, where string, v parquet.Value, x float64) {
	t.Helper()
	if v.Kind() == parquet.Int64 && !v.IsNull() {
		if math.IsNaN(x) || float64(v.Int64()) != x {
			t.Errorf("%s: %d, want %v", where, v.Int64(), x)
		}
		return
	}
	checkDouble(t, where, v, x)
}

// checkDouble checks that v holds x exactly (bit for bit), or is null for NaN.
func checkDouble(t *testing.T, where string, v parquet.Value, x float64) {
	t.Helper()
	switch {
	case math.IsNaN(x):
		if !v.IsNull() {
			t.Errorf("%s: %v, want null (NaN)", where, v)
		}
	case v.IsNull():
		t.Errorf("%s: null, want %v", where, x)
	case math.Float64bits(v.Double()) != math.Float64bits(x):
		t.Errorf("%s: %v, want %v", where, v.Double(), x)
	}
}

// smallStudy runs a small study with an objective, recording its
// replications table as CSV.
func smallStudy(t *testing.T) (*Aggregate, []byte) {
	t.Helper()
	var rows bytes.Buffer
	a := newTestStudy(t).run(t, 5, 0, 300, &rows)
	return a, rows.Bytes()
}

// The Parquet replications table of a real study holds what
// replications.csv holds: the same columns in the same order, the same rows
// in the same order, the same values, null where the CSV field is empty.
func TestReplicationsParquetMatchesCSV(t *testing.T) {
	a, csvData := smallStudy(t)
	header, recs := parseCSV(t, csvData)
	var b bytes.Buffer
	pq, err := NewReplicationsParquet(&b, a.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	nulls := 0
	for _, rec := range recs {
		rep, err := strconv.Atoi(rec[1])
		if err != nil {
			t.Fatal(err)
		}
		if header[2] != OutcomeColumn {
			t.Fatalf("replications.csv's third column is %q", header[2])
		}
		vals := make([]float64, len(rec)-3)
		for i, s := range rec[3:] {
			vals[i] = csvFloat(t, s)
			if s == "" {
				nulls++
			}
		}
		if err := pq.Write(rec[0], rep, vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := pq.Close(); err != nil {
		t.Fatal(err)
	}
	if nulls == 0 {
		t.Fatal("the study has no undefined values: the test does not check nulls")
	}
	if a.Metrics[len(a.Metrics)-1].Key != "objective" {
		t.Fatal("no objective column")
	}

	got := readParquet(t, b.Bytes())
	if !slices.Equal(got.columns, header) {
		t.Fatalf("columns %v, want %v", got.columns, header)
	}
	if len(got.rows) != len(recs) {
		t.Fatalf("%d rows, want %d", len(got.rows), len(recs))
	}
	for i, rec := range recs {
		row := got.rows[i]
		if len(row) != len(header) {
			t.Fatalf("row %d has %d values, want %d", i, len(row), len(header))
		}
		if string(row[0].ByteArray()) != rec[0] || strconv.FormatInt(row[1].Int64(), 10) != rec[1] || string(row[2].ByteArray()) != rec[2] {
			t.Fatalf("row %d starts %s,%d,%s, want %s,%s,%s", i, row[0].ByteArray(), row[1].Int64(), row[2].ByteArray(), rec[0], rec[1], rec[2])
		}
		for k, s := range rec[3:] {
			checkValue(t, header[3+k]+" of row "+strconv.Itoa(i), row[3+k], csvFloat(t, s))
		}
	}

	// Types: policy a dictionary-encoded string, replication an int64, a
	// count or 0/1 outcome an optional int64 (as CSV readers load them), a
	// level an optional double.
	fields := got.file.Schema().Fields()
	if lt := fields[0].Type().LogicalType(); fields[0].Optional() || lt == nil || lt.String() != "STRING" {
		t.Errorf("policy column: %v, want a required string", fields[0])
	}
	if fields[1].Optional() || fields[1].Type().Kind() != parquet.Int64 {
		t.Errorf("replication column: %v, want a required int64", fields[1])
	}
	if lt := fields[2].Type().LogicalType(); fields[2].Optional() || lt == nil || lt.String() != "STRING" {
		t.Errorf("outcome column: %v, want a required string", fields[2])
	}
	for i, f := range fields[3:] {
		want := parquet.Double
		if a.Metrics[i].Kind != sim.Level {
			want = parquet.Int64
		}
		if !f.Optional() || f.Type().Kind() != want {
			t.Errorf("column %s: %v, want an optional %v", f.Name(), f, want)
		}
	}
	md := got.file.Metadata()
	if !slices.Contains(md.RowGroups[0].Columns[0].MetaData.Encoding, format.RLEDictionary) {
		t.Errorf("policy column encodings %v, want RLE_DICTIONARY", md.RowGroups[0].Columns[0].MetaData.Encoding)
	}
	if !strings.HasPrefix(md.CreatedBy, "tranche version ") {
		t.Errorf("created_by %q, want tranche's", md.CreatedBy)
	}
	if v, ok := got.file.Lookup("tranche.table"); !ok || v != "replications" {
		t.Errorf("tranche.table = %q, %v", v, ok)
	}
	externalCheck(t, b.Bytes(), len(recs), header)
}

// Synthetic rows: NaN, infinities, signed zero, extremes and repeated
// policies across several row groups come back exactly and in order.
func TestReplicationsParquetValues(t *testing.T) {
	metrics := []sim.Metric{{Key: "a"}, {Key: "b", Kind: sim.Count}, {Key: "c", Kind: sim.Proportion}}
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, 5e-324, math.MaxFloat64, 1.0 / 3}
	policies := []string{"phased", "big-bang", "ünïcode, with comma"}
	const n = RowGroupRows*2 + 123
	value := func(i, k int) float64 {
		switch {
		case k == 0 && i%7 == 0: // the level: every special value
			return special[(i/7)%len(special)]
		case k > 0 && i%5 == k: // counts and outcomes: whole numbers or undefined
			return math.NaN()
		case k == 2:
			return float64(i % 2)
		case k == 1:
			return float64(i)
		}
		return float64(i)*0.25 - float64(k)
	}
	var b bytes.Buffer
	pq, err := NewReplicationsParquet(&b, metrics)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]float64, len(metrics))
	for i := range n {
		for k := range vals {
			vals[k] = value(i, k)
		}
		if err := pq.Write(policies[i%len(policies)], i/len(policies), vals); err != nil {
			t.Fatal(err)
		}
	}
	if err := pq.Write("x", 0, vals[:2]); err == nil {
		t.Error("Write with too few values: want an error")
	}
	if err := pq.Write("x", 0, []float64{0, 0.5, 0}); err == nil {
		t.Error("Write of a count of 0.5: want an error")
	}
	if err := pq.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pq.Write("x", 0, vals); err == nil {
		t.Error("Write after Close: want an error")
	}
	got := readParquet(t, b.Bytes())
	if want := []string{"policy", "replication", "a", "b", "c"}; !slices.Equal(got.columns, want) {
		t.Fatalf("columns %v, want %v", got.columns, want)
	}
	if len(got.rows) != n {
		t.Fatalf("%d rows, want %d", len(got.rows), n)
	}
	groups := got.file.RowGroups()
	if len(groups) != 3 {
		t.Errorf("%d row groups, want 3", len(groups))
	}
	for _, g := range groups {
		if g.NumRows() > RowGroupRows {
			t.Errorf("row group of %d rows, more than %d", g.NumRows(), RowGroupRows)
		}
	}
	for i, row := range got.rows {
		if p := string(row[0].ByteArray()); p != policies[i%len(policies)] || row[1].Int64() != int64(i/len(policies)) {
			t.Fatalf("row %d: %s,%d, want %s,%d", i, p, row[1].Int64(), policies[i%len(policies)], i/len(policies))
		}
		for k := range metrics {
			checkValue(t, "row "+strconv.Itoa(i), row[2+k], value(i, k))
		}
	}

	// Duplicate column names are refused.
	if _, err := NewReplicationsParquet(io.Discard, []sim.Metric{{Key: "a"}, {Key: "a"}}); err == nil {
		t.Error("duplicate metric keys: want an error")
	}
	if _, err := NewReplicationsParquet(io.Discard, []sim.Metric{{Key: "policy"}}); err == nil {
		t.Error("a metric named policy: want an error")
	}
}

// An empty table is a valid file with the columns and no rows.
func TestReplicationsParquetEmpty(t *testing.T) {
	var b bytes.Buffer
	pq, err := NewReplicationsParquet(&b, []sim.Metric{{Key: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := pq.Close(); err != nil {
		t.Fatal(err)
	}
	got := readParquet(t, b.Bytes())
	if len(got.rows) != 0 || !slices.Equal(got.columns, []string{"policy", "replication", "a"}) {
		t.Errorf("empty table: %d rows, columns %v", len(got.rows), got.columns)
	}
}

// The Parquet rounds table holds what rounds.csv holds.
func TestRoundsParquetMatchesCSV(t *testing.T) {
	a, _ := smallStudy(t)
	var c, p bytes.Buffer
	if err := WriteRoundsCSV(&c, a); err != nil {
		t.Fatal(err)
	}
	if err := WriteRoundsParquet(&p, a); err != nil {
		t.Fatal(err)
	}
	header, recs := parseCSV(t, c.Bytes())
	got := readParquet(t, p.Bytes())
	if !slices.Equal(got.columns, header) {
		t.Fatalf("columns %v, want %v", got.columns, header)
	}
	if len(got.rows) != len(recs) || len(recs) != len(a.Policies)*a.Rounds*len(a.Series) {
		t.Fatalf("%d rows, CSV has %d", len(got.rows), len(recs))
	}
	for i, rec := range recs {
		row := got.rows[i]
		if string(row[0].ByteArray()) != rec[0] || strconv.FormatInt(row[1].Int64(), 10) != rec[1] || string(row[2].ByteArray()) != rec[2] {
			t.Fatalf("row %d starts %s,%d,%s, want %v", i, row[0].ByteArray(), row[1].Int64(), row[2].ByteArray(), rec[:3])
		}
		for k, s := range rec[3:] {
			checkDouble(t, header[3+k]+" of row "+strconv.Itoa(i), row[3+k], csvFloat(t, s))
		}
	}
	if v, _ := got.file.Lookup("tranche.table"); v != "rounds" {
		t.Errorf("tranche.table = %q, want rounds", v)
	}
	externalCheck(t, p.Bytes(), len(recs), header)
}

// peakHeapGrowth writes n rows of 5 policies and 19 metrics to a discarding
// writer and returns the largest growth of the live heap seen while
// writing, measured after a garbage collection every 8192 rows and after
// Close.
func peakHeapGrowth(t *testing.T, n int) uint64 {
	metrics := sim.Metrics(40, 3)
	policies := []string{"phased-snapback", "phased", "big-bang", "reciprocal", "max-pressure"}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base, peak := ms.HeapInuse, uint64(0)
	measure := func() {
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if ms.HeapInuse > base {
			peak = max(peak, ms.HeapInuse-base)
		}
	}
	pq, err := NewReplicationsParquet(io.Discard, metrics)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]float64, len(metrics))
	for i := range n {
		for k := range vals {
			// Distinct values that compress badly, some undefined; counts
			// and outcomes whole numbers.
			vals[k] = float64((i*7919+k*104729)%1000003) / 1000003
			if metrics[k].Kind != sim.Level {
				vals[k] = float64((i*7919 + k*104729) % 1000003)
			}
		}
		if i%11 == 0 {
			vals[sim.RoundsToDurable] = math.NaN()
		}
		if err := pq.Write(policies[i%len(policies)], i/len(policies), vals); err != nil {
			t.Fatal(err)
		}
		if i%8192 == 0 {
			measure()
		}
	}
	measure()
	if err := pq.Close(); err != nil {
		t.Fatal(err)
	}
	measure()
	runtime.KeepAlive(pq)
	return peak
}

// Writing a large table keeps memory flat: the heap grows by one row group
// at most, not with the number of rows.
func TestReplicationsParquetMemory(t *testing.T) {
	if raceEnabled {
		t.Skip("heap measurements are meaningless under the race detector")
	}
	if testing.Short() {
		t.Skip("writes 400,000 rows")
	}
	peakHeapGrowth(t, 20000) // warm up pools
	small := peakHeapGrowth(t, 100000)
	large := peakHeapGrowth(t, 300000)
	t.Logf("peak heap growth: %.1f MiB for 100k rows, %.1f MiB for 300k rows", float64(small)/(1<<20), float64(large)/(1<<20))
	if large > 64<<20 {
		t.Errorf("writing 300,000 rows grew the heap by %d MiB, want under 64", large>>20)
	}
	// Three times the rows: memory that grew with the rows would triple;
	// one row group more or less in flight at a checkpoint is within 2x.
	if float64(large) > 2*float64(max(small, 1<<20)) {
		t.Errorf("heap growth %d bytes for 300k rows vs %d for 100k: grows with the row count", large, small)
	}
}

// Writing a row allocates nothing: the row buffer is reused.
func TestReplicationsParquetAllocs(t *testing.T) {
	metrics := sim.Metrics(40, 3)
	pq, err := NewReplicationsParquet(io.Discard, metrics)
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]float64, len(metrics))
	vals[sim.RoundsToDurable] = math.NaN()
	i := 0
	write := func() {
		for range 1000 {
			vals[0] = float64(i)
			if err := pq.Write("phased", i, vals); err != nil {
				t.Fatal(err)
			}
			i++
		}
	}
	write() // the first page buffers
	// The library's page buffers grow now and then (about 50 allocations
	// per 1000 rows); a per-row allocation would make it 1000 or more.
	if a := testing.AllocsPerRun(20, write); a > 200 {
		t.Errorf("%v allocations per 1000 rows", a)
	}
	if err := pq.Close(); err != nil {
		t.Fatal(err)
	}
}

// externalCheck reads a Parquet file with pyarrow or DuckDB, if either is
// installed, and checks its row count and column names.
func externalCheck(t *testing.T, data []byte, rows int, columns []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "table.parquet")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	want := strconv.Itoa(rows) + " " + strings.Join(columns, ",")
	checked := false
	if py, err := exec.LookPath("python3"); err == nil {
		scripts := map[string]string{
			"pyarrow": `import sys, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
print(t.num_rows, ",".join(t.column_names))`,
			"duckdb": `import sys, duckdb
r = duckdb.sql("select * from read_parquet('%s')" % sys.argv[1])
print(len(r.fetchall()), ",".join(r.columns))`,
		}
		for name, script := range scripts {
			if exec.Command(py, "-c", "import "+name).Run() != nil {
				continue
			}
			out, err := exec.Command(py, "-c", script, path).CombinedOutput()
			if err != nil {
				t.Errorf("%s cannot read the file: %v\n%s", name, err, out)
			} else if got := strings.TrimSpace(string(out)); got != want {
				t.Errorf("%s reads %q, want %q", name, got, want)
			}
			checked = true
		}
	}
	if duck, err := exec.LookPath("duckdb"); err == nil {
		out, err := exec.Command(duck, "-csv", "-noheader", "-c",
			"select (select count(*) from read_parquet('"+path+"')) || ' ' || "+
				"(select string_agg(column_name, ',') from (describe select * from read_parquet('"+path+"')))").CombinedOutput()
		if err != nil {
			t.Errorf("duckdb cannot read the file: %v\n%s", err, out)
		} else if got := strings.Trim(strings.TrimSpace(string(out)), `"`); got != want {
			t.Errorf("duckdb reads %q, want %q", got, want)
		}
		checked = true
	}
	if !checked {
		t.Log("neither pyarrow, the duckdb Python module nor the duckdb CLI is installed: no external check")
	}
}

// FuzzCopyReplicationsParquet feeds the Parquet reader of tranche merge
// arbitrary bytes: it must refuse or accept, never panic.
func FuzzCopyReplicationsParquet(f *testing.F) {
	metrics := []sim.Metric{{Key: "a"}, {Key: "b", Kind: sim.Count}}
	var good bytes.Buffer
	pq, err := NewReplicationsParquet(&good, metrics)
	if err != nil {
		f.Fatal(err)
	}
	for i := range 6 {
		pq.Write([]string{"x", "y"}[i%2], 3+i/2, []float64{0.5, float64(i)})
	}
	if err := pq.Close(); err != nil {
		f.Fatal(err)
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:len(good.Bytes())-9])
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dst, err := NewReplicationsParquet(io.Discard, metrics)
		if err != nil {
			t.Fatal(err)
		}
		CopyReplicationsParquet(dst, bytes.NewReader(data), int64(len(data)), []string{"x", "y"}, 3, 3)
	})
}
