package study

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/tranche-sim/tranche/policy"
	"github.com/tranche-sim/tranche/results"
	"github.com/tranche-sim/tranche/results/plots"
	"github.com/tranche-sim/tranche/scenarios"
	"github.com/tranche-sim/tranche/sim"
)

// module is tranche's module path.
const module = "github.com/tranche-sim/tranche"

// Version returns tranche's version: the module version ("devel" when built
// from source) and, when tranche itself is the main module built from a
// checkout, the commit, marked -dirty if the checkout had changes. In a
// program that embeds tranche, it is the version of the tranche module the
// program depends on.
func Version() string {
	v := "devel"
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if info.Main.Path != module {
		for _, d := range info.Deps {
			if d.Path == module {
				if d.Replace != nil {
					d = d.Replace
				}
				if d.Version != "" && d.Version != "(devel)" {
					return d.Version
				}
			}
		}
		return v
	}
	if info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += "+" + s.Value[:12]
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += "-dirty"
		}
	}
	return v
}

// Build returns the first 16 hexadecimal digits of the SHA-256 of the
// running executable, or "unknown". It tells builds apart where Version
// cannot: a build without version control information reports "devel"
// whatever its source. Go builds are reproducible, so the same source, Go
// release and architecture give the same build. The executable is hashed
// once per process (it does not change while it runs).
func Build() string { return executableHash() }

var executableHash = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown"
	}
	f, err := os.Open(exe)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "unknown"
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
})

// scenarioHash returns the SHA-256 of a resolved scenario file.
func scenarioHash(resolved []byte) string {
	sum := sha256.Sum256(resolved)
	return hex.EncodeToString(sum[:])
}

// manifest returns the manifest of a finished study.
func (p *plan) manifest(agg *results.Aggregate, prec *results.Precision, opts Options, start time.Time) *results.Manifest {
	s := p.s
	m := &results.Manifest{
		Tool: "tranche", Version: Version(), Build: Build(), GoVersion: runtime.Version(), GOARCH: runtime.GOARCH,
		Scenario: s.Name,
		Seed:     s.Seed, Replications: agg.Metric(0, 0).N(), Rounds: s.Rounds, MonthsPerRound: s.MonthsPerRound, Policies: s.Policies,
		Baseline: s.Policies[p.baseline], Objective: opts.Objective, Precision: prec, Format: p.format,
		Workers: p.workers, CommandLine: opts.Command,
		Start: start.UTC(), ElapsedSeconds: time.Since(start).Seconds(),
	}
	if sh := p.shard; sh != nil {
		m.Shard, m.FirstReplication = sh, sh.First
	}
	return m
}

// writeFolder writes everything but the replications table (simulate
// streams it) into a results folder: the outputs, the histories, the
// state of a shard or the figures of a whole study.
func writeFolder(ctx context.Context, folder *results.Folder, res *Result, p *plan, opts Options) error {
	opts.report(Progress{Phase: PhaseWriting})
	resolved := scenarios.Format(res.Scenario)
	res.Manifest.ScenarioSHA256 = scenarioHash(resolved)
	res.Manifest.ElapsedSeconds = time.Since(res.Manifest.Start).Seconds()
	out := &results.Outputs{
		ScenarioTOML: resolved, Aggregate: res.Aggregate, Summary: res.Summary,
		Comparison: res.Comparison, Definitions: Describe(res.Scenario, res.Aggregate), Manifest: res.Manifest,
	}
	if err := writeHistories(folder, res.Histories); err != nil {
		return err
	}
	if p.shard != nil {
		var b bytes.Buffer
		if err := results.WriteState(&b, res.Aggregate); err != nil {
			return err
		}
		if err := folder.WriteFile(results.StateFile, b.Bytes()); err != nil {
			return err
		}
	}
	if err := out.Write(folder); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return interrupted(err)
	}
	if opts.Plots && p.shard == nil {
		return drawInto(ctx, folder, opts)
	}
	return nil
}

func writeHistories(folder *results.Folder, rows []results.HistoryRow) error {
	var b bytes.Buffer
	if err := results.WriteHistoriesCSV(&b, rows); err != nil {
		return err
	}
	return folder.WriteFile("histories.csv", b.Bytes())
}

// drawInto draws the figures of a results folder from the files just
// written into it, exactly as tranche plot draws them later.
func drawInto(ctx context.Context, folder *results.Folder, opts Options) error {
	run, err := folder.Load()
	if err != nil {
		return err
	}
	_, err = plots.All(ctx, run, folder.Path("plots"), "png", func(n, total int) {
		opts.report(Progress{PhaseDrawing, n, total, "figures"})
	})
	if ctx.Err() != nil {
		return interrupted(ctx.Err())
	}
	return folder.Hide(err)
}

// createFolder starts a results folder at out. With unique, a taken out is
// not an error: out-2, out-3, ... are tried in turn (for names made up by
// default, which two runs started in the same second would share).
func createFolder(out string, unique bool) (*results.Folder, error) {
	name := out
	for i := 2; ; i++ {
		f, err := results.CreateFolder(name)
		if err == nil {
			return f, nil
		}
		if unique && errors.Is(err, results.ErrExists) && i < 10000 {
			name = fmt.Sprintf("%s-%d", out, i)
			continue
		}
		var pe *results.PathError
		if errors.As(err, &pe) {
			return nil, &InputError{Err: err}
		}
		return nil, err
	}
}

// shardDone reports whether dir already holds this plan's shard, complete
// and made the same way (build, objective, baseline, table format): a rerun
// of the same shard (a retried job) then has nothing to do.
func (p *plan) shardDone(dir, objective string) bool {
	run, err := results.Load(dir)
	if err != nil || run.Manifest.Shard == nil {
		return false
	}
	if _, err := os.Stat(filepath.Join(dir, results.StateFile)); err != nil {
		return false
	}
	m := run.Manifest
	return m.ScenarioSHA256 == scenarioHash(scenarios.Format(p.s)) && m.Version == Version() && m.Build == Build() &&
		*m.Shard == *p.shard && m.Objective == objective && m.Baseline == p.s.Policies[p.baseline] && m.Format == p.format
}

// Describe returns the definitions of a study's results folder: the
// scenario in words, the policies, and the metrics and series of the
// aggregate.
func Describe(s *scenarios.Scenario, agg *results.Aggregate) *results.Definitions {
	d := DescribeMetrics(s, agg.Policies, agg.Metrics)
	d.Series = agg.Series
	return d
}

// DescribeMetrics returns the definitions of a results folder that has
// metrics but no per-round series (an experiment's): the scenario in
// words, the policies and the metrics.
func DescribeMetrics(s *scenarios.Scenario, policies []string, metrics []sim.Metric) *results.Definitions {
	d := &results.Definitions{
		Scenario: results.ScenarioInfo{Name: s.Name, Description: s.Description, Overview: overview(s)},
		Metrics:  metrics,
	}
	for _, name := range policies {
		info := results.PolicyInfo{Name: name, Summary: policySummary(name, s)}
		if v, ok := s.PolicyParams[name].(*policy.Variant); ok && v.Base != name {
			info.Base = v.Base
		}
		d.Policies = append(d.Policies, info)
	}
	return d
}

// overview describes a scenario's world in a few sentences.
func overview(s *scenarios.Scenario) []string {
	t := s.Target
	mean := t.CommitmentAlpha / (t.CommitmentAlpha + t.CommitmentBeta)
	words := []string{
		fmt.Sprintf("The target government's hidden commitment to reform is drawn for each history from a Beta(%g, %g) distribution (mean %.2f); reformers start with %.0f%% of power, and its choices are noisy (temperature %g).",
			t.CommitmentAlpha, t.CommitmentBeta, mean, 100*t.Reformers, t.Noise),
	}
	var members []string
	for _, mb := range s.Coalition.Members {
		members = append(members, fmt.Sprintf("%s (weight %g, resolve %g)", mb.Name, mb.Weight, mb.Resolve))
	}
	words = append(words, fmt.Sprintf("The coalition has %d member(s): %s; standing humanitarian exemptions cover %.0f%% of need.",
		len(members), strings.Join(members, ", "), 100*s.Coalition.Coverage))
	var sectors []string
	for _, sec := range s.Sectors {
		sectors = append(sectors, fmt.Sprintf("%s (weight %g)", sec.Name, sec.Weight))
	}
	words = append(words, "Sanctioned sectors: "+strings.Join(sectors, ", ")+".")
	v := s.Verifier
	words = append(words, fmt.Sprintf("The verification body has quality %g, gets access in %.0f%% of rounds and reports with a lag of %d round(s); %d neighbouring state(s) trade with the target and %d spoiler faction(s) oppose a settlement.",
		v.Quality, 100*v.Access, v.Lag, len(s.Neighbours.States), len(s.Spoilers.Factions)))
	return words
}

// policySummary says in one line what a policy of the scenario is.
func policySummary(name string, s *scenarios.Scenario) string {
	if v, ok := s.PolicyParams[name].(*policy.Variant); ok {
		var kinds []string
		for _, mod := range v.Modifiers {
			kinds = append(kinds, mod.Kind())
		}
		d := "defined in the scenario from " + v.Base
		if v.Base == name {
			d = "the built-in"
			if e, ok := policy.Lookup(name); ok {
				d = e.Summary
			}
		}
		if len(kinds) > 0 {
			d += "; with modifiers " + strings.Join(kinds, ", ")
		}
		return d
	}
	if e, ok := policy.Lookup(name); ok {
		return e.Summary
	}
	return "a policy of this scenario"
}
