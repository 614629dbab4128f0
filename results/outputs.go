package results

import (
	"bytes"
	"fmt"
	"io"
)

// WriteOutputs writes the files every results folder has that follow from
// its aggregate: scenario.toml (as given), summary.json and summary.csv,
// comparison.json and comparison.csv against the baseline policy,
// rounds.csv (and rounds.parquet when m.Format is "parquet") and
// manifest.json. It returns the summary and the comparison report.
func WriteOutputs(f *Folder, scenarioTOML []byte, agg *Aggregate, baseline int, m *Manifest) (*Summary, *ComparisonReport, error) {
	summary := Summarize(m.Scenario, m.Seed, agg)
	report := NewComparisonReport(agg, summary, baseline)
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"scenario.toml", func(w io.Writer) error { _, err := w.Write(scenarioTOML); return err }},
		{"summary.json", func(w io.Writer) error { return WriteSummaryJSON(w, summary) }},
		{"summary.csv", func(w io.Writer) error { return WriteSummaryCSV(w, summary) }},
		{"comparison.json", func(w io.Writer) error { return WriteComparisonJSON(w, report) }},
		{"comparison.csv", func(w io.Writer) error { return WriteComparisonCSV(w, report.Comparisons) }},
		{"rounds.csv", func(w io.Writer) error { return WriteRoundsCSV(w, agg) }},
		{"manifest.json", func(w io.Writer) error { return WriteManifest(w, m) }},
	}
	if m.Format == "parquet" {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{"rounds.parquet", func(w io.Writer) error { return WriteRoundsParquet(w, agg) }})
	}
	for _, file := range files {
		var b bytes.Buffer
		if err := file.write(&b); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file.name, err)
		}
		if err := f.WriteFile(file.name, b.Bytes()); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", file.name, err)
		}
	}
	return summary, report, nil
}
