package results

import (
	"bytes"
	"fmt"
	"io"
)

// Outputs are the files of a results folder that follow from a finished
// study.
type Outputs struct {
	// ScenarioTOML is the resolved scenario, written as scenario.toml.
	ScenarioTOML []byte
	// Aggregate, Summary and Comparison are the study's statistics.
	Aggregate  *Aggregate
	Summary    *Summary
	Comparison *ComparisonReport
	// Definitions describe the folder, written as definitions.json.
	Definitions *Definitions
	// Manifest records how the study was made, written last.
	Manifest *Manifest
}

// Write writes scenario.toml, definitions.json, summary.json and
// summary.csv, comparison.json and comparison.csv, rounds.csv (and
// rounds.parquet when the manifest's format is "parquet") and a manifest,
// not yet marked complete (Folder.Complete writes the final one), into f.
func (o *Outputs) Write(f *Folder) error {
	type file struct {
		name  string
		write func(io.Writer) error
	}
	files := []file{
		{"scenario.toml", func(w io.Writer) error { _, err := w.Write(o.ScenarioTOML); return err }},
		{DefinitionsFile, func(w io.Writer) error { return WriteDefinitions(w, o.Definitions) }},
		{"summary.json", func(w io.Writer) error { return WriteSummaryJSON(w, o.Summary) }},
		{"summary.csv", func(w io.Writer) error { return WriteSummaryCSV(w, o.Summary) }},
		{"comparison.json", func(w io.Writer) error { return WriteComparisonJSON(w, o.Comparison) }},
		{"comparison.csv", func(w io.Writer) error { return WriteComparisonCSV(w, o.Comparison.Comparisons) }},
		{"rounds.csv", func(w io.Writer) error { return WriteRoundsCSV(w, o.Aggregate) }},
	}
	if o.Manifest.Format == "parquet" {
		files = append(files, file{"rounds.parquet", func(w io.Writer) error { return WriteRoundsParquet(w, o.Aggregate) }})
	}
	files = append(files, file{"manifest.json", func(w io.Writer) error {
		m := *o.Manifest
		m.FormatVersion, m.Complete = FormatVersion, false
		return WriteManifest(w, &m)
	}})
	for _, fl := range files {
		var b bytes.Buffer
		if err := fl.write(&b); err != nil {
			return fmt.Errorf("%s: %w", fl.name, err)
		}
		if err := f.WriteFile(fl.name, b.Bytes()); err != nil {
			return fmt.Errorf("%s: %w", fl.name, err)
		}
	}
	return nil
}
