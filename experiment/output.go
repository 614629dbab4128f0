package experiment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/study"
)

// fileSum returns the SHA-256 of b in hexadecimal, as a manifest records
// a file's.
func fileSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// paramTypes returns the column types of the experiment's parameters.
func paramTypes(e *Experiment) []string {
	var out []string
	for _, p := range e.Parameters {
		switch p.Type {
		case scenarios.Integer:
			out = append(out, results.ParamInteger)
		case scenarios.Choice:
			out = append(out, results.ParamChoice)
		case scenarios.Bool:
			out = append(out, results.ParamBool)
		default:
			out = append(out, results.ParamNumber)
		}
	}
	return out
}

// pointsParquet writes points.parquet from the folder's points.csv.
func pointsParquet(folder *results.Folder, e *Experiment) error {
	src, err := os.Open(folder.Path(results.PointsCSV))
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := folder.Create("points.parquet")
	if err != nil {
		return err
	}
	defer dst.Close()
	var params []string
	for _, p := range e.Parameters {
		params = append(params, p.Name)
	}
	if _, err := results.PointsParquet(dst, src, params, paramTypes(e)); err != nil {
		return fmt.Errorf("points.parquet: %w", err)
	}
	return dst.Close()
}

// drawFigures draws the experiment's figures into the folder's plots/,
// from the tables written.
func drawFigures(ctx context.Context, folder *results.Folder, progress func(study.Progress)) error {
	run, err := folder.LoadExperiment(results.ExperimentHeadline())
	if err != nil {
		return err
	}
	_, err = plots.Experiment(ctx, run, folder.Path("plots"), "png", func(n, total int) {
		if progress != nil {
			progress(study.Progress{Phase: study.PhaseDrawing, Done: n, Total: total, Unit: "figures"})
		}
	})
	return folder.Hide(err)
}
