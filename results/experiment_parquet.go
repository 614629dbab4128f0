package results

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// The types of a parameter column of an experiment's tables.
const (
	ParamNumber  = "number"
	ParamInteger = "integer"
	ParamChoice  = "choice"
	ParamBool    = "bool"
)

// PointsParquet copies an experiment's points table from CSV (src, as
// written by PointTables) to Parquet (dst), streaming: the point and n
// become int64 columns, each parameter a column of its type (types, one of
// ParamNumber, ParamInteger, ParamChoice, ParamBool per parameter), policy
// and metric dictionary-encoded strings, the statistics nullable doubles
// (null where the CSV field is empty). It returns the number of rows.
func PointsParquet(dst io.Writer, src io.Reader, params, types []string) (int, error) {
	if len(params) != len(types) {
		return 0, fmt.Errorf("points table: %d parameters but %d types", len(params), len(types))
	}
	head := PointsHeader(params)
	cols := []column{int64Column("point")}
	for i, name := range params {
		switch types[i] {
		case ParamNumber:
			cols = append(cols, column{name, parquet.Leaf(parquet.DoubleType)})
		case ParamInteger:
			cols = append(cols, int64Column(name))
		case ParamBool:
			cols = append(cols, column{name, parquet.Leaf(parquet.BooleanType)})
		case ParamChoice:
			cols = append(cols, stringColumn(name))
		default:
			return 0, fmt.Errorf("points table: parameter %s has unknown type %q", name, types[i])
		}
	}
	cols = append(cols, stringColumn("policy"), stringColumn("metric"), int64Column("n"))
	for _, name := range head[len(cols):] {
		cols = append(cols, doubleColumn(name))
	}
	t, err := newParquetTable(dst, "points", cols)
	if err != nil {
		return 0, err
	}
	cr := csv.NewReader(src)
	cr.FieldsPerRecord = len(head)
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return 0, fmt.Errorf("points table: header: %w", err)
	}
	n := 0
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("points table: %w", err)
		}
		row := t.row()
		for c, field := range rec {
			v, err := parquetField(t, cols[c], c, field)
			if err != nil {
				return n, fmt.Errorf("points table line %d, column %s: %w", line, head[c], err)
			}
			row = append(row, v)
		}
		if err := t.add(row); err != nil {
			return n, err
		}
		n++
	}
	return n, t.close()
}

// parquetField converts one CSV field of column c.
func parquetField(t *parquetTable, col column, c int, field string) (parquet.Value, error) {
	switch {
	case col.node.Optional():
		if field == "" {
			return doubleValue(math.NaN(), c), nil
		}
		x, err := strconv.ParseFloat(field, 64)
		return doubleValue(x, c), err
	case col.node.Type().Kind() == parquet.Int64:
		x, err := strconv.ParseInt(field, 10, 64)
		return int64Value(x, c), err
	case col.node.Type().Kind() == parquet.Double:
		x, err := strconv.ParseFloat(field, 64)
		v := parquet.DoubleValue(x)
		v.SetColumnIndex(c)
		return v, err
	case col.node.Type().Kind() == parquet.Boolean:
		x, err := strconv.ParseBool(field)
		v := parquet.BooleanValue(x)
		v.SetColumnIndex(c)
		return v, err
	}
	return t.str(field, c), nil
}
