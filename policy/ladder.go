package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tranche-sim/tranche/sim"
)

// Stage is one rung of a rule ladder: what it releases, when the coalition
// may climb to it, and what happens on a reported violation while it is the
// highest rung reached.
type Stage struct {
	Name          string   `toml:"name" default:"" doc:"stage name, for documentation only"`
	Sectors       []string `toml:"sectors" default:"" doc:"sectors this stage relieves (names from [[sectors]])"`
	Relief        float64  `toml:"relief" plausible:"[0.5,1]" default:"1" range:"[0,1]" doc:"relief level this stage sets for its sectors" why:"stages lift their sectors fully unless they say otherwise"`
	Coverage      float64  `toml:"coverage" default:"-1" range:"[-1,1]" doc:"humanitarian coverage while this is the highest reached stage that sets one (coverage >= 0); -1 (any negative value) sets none. Coverage is recomputed every round: if no reached stage sets one, it is the standing coverage (coalition.humanitarian_coverage)" why:"most stages set no coverage of their own"`
	MinCompliance float64  `toml:"min_compliance" plausible:"[0.2,0.9]" default:"0.5" range:"[0,1]" doc:"verified compliance that must hold to enter the stage" why:"half the obligations"`
	Hold          int      `toml:"hold" plausible:"[1,4]" default:"2" range:"[1,1000]" doc:"consecutive rounds without a violation report in which all three entry conditions must hold to enter the stage: verified compliance at least min_compliance, quiet_rounds met, cohesion at least min_cohesion (a violation report restarts the count)" why:"two quarterly reviews"`
	Quiet         int      `toml:"quiet_rounds" plausible:"[0,4]" default:"0" range:"[0,1000]" doc:"rounds without any violation report needed to enter (the coalition cannot tell false alarms from true ones)" why:"0: no such condition unless asked for"`
	MinCohesion   float64  `toml:"min_cohesion" plausible:"[0,0.8]" default:"0" range:"[0,1]" doc:"coalition cohesion needed to enter" why:"0: no such condition unless asked for"`
	OnBacksliding string   `toml:"on_backsliding" default:"hold" oneof:"hold,step-back,snapback" doc:"on a violation report while this is the highest stage reached: hold (stay, restart the count), step-back (lose step_back stages) or snapback (lose all)" why:"hold: the mildest response"`
	StepBack      int      `toml:"step_back" plausible:"[1,2]" default:"1" range:"[1,1000]" doc:"stages lost by step-back" why:"one rung at a time"`
}

// LadderParams are the parameters of a rule ladder: an ordered list of
// stages. The built-in ladder is a sectoral sequence; scenario files define
// their own with base = "ladder".
type LadderParams struct {
	Stages []Stage `toml:"stages" doc:"the ladder's stages, lowest first"`
}

// DefaultLadder returns the built-in sectoral ladder: humanitarian goods and
// exemptions first, then travel and trade, then energy, finance last.
func DefaultLadder() LadderParams {
	st := func(name string, sectors []string, coverage, min float64, on string) Stage {
		return Stage{Name: name, Sectors: sectors, Relief: 1, Coverage: coverage, MinCompliance: min, Hold: 2, OnBacksliding: on, StepBack: 1}
	}
	return LadderParams{Stages: []Stage{
		st("humanitarian", []string{"humanitarian_goods"}, 0.8, 0.25, "hold"),
		st("people-to-people", []string{"travel", "trade"}, -1, 0.5, "step-back"),
		st("energy", []string{"energy"}, -1, 0.7, "step-back"),
		st("finance", []string{"finance"}, -1, 0.85, "snapback"),
	}}
}

// NewPolicy returns a ladder policy.
func (p *LadderParams) NewPolicy() sim.Policy {
	l := &Ladder{p: *p, index: make([][]int, len(p.Stages))}
	for i, s := range p.Stages {
		l.index[i] = make([]int, len(s.Sectors))
	}
	return l
}

// Problem is something wrong with a policy's parameters: the field it
// concerns (for example "stages[1].sectors") and a message that starts
// with that field.
type Problem struct {
	Field, Msg string
}

// Check reports what is wrong with the ladder given the scenario's sector
// names and number of rounds.
func (p *LadderParams) Check(sectors []string, rounds int) []Problem {
	var probs []Problem
	add := func(field, format string, a ...any) {
		probs = append(probs, Problem{field, field + ": " + fmt.Sprintf(format, a...)})
	}
	if len(p.Stages) == 0 {
		add("stages", "the ladder has no stages: add [[...stages]] tables, lowest first")
	}
	for i, s := range p.Stages {
		key := fmt.Sprintf("stages[%d]", i)
		seen := map[string]bool{}
		for _, name := range s.Sectors {
			switch {
			case !slices.Contains(sectors, name):
				add(key+".sectors", "unknown sector %q; sectors are %s", name, strings.Join(sectors, ", "))
			case seen[name]:
				add(key+".sectors", "%q is listed twice", name)
			}
			seen[name] = true
		}
		if len(s.Sectors) == 0 && s.Coverage < 0 {
			add(key, "the stage releases nothing: give it sectors or a coverage")
		}
		if s.Hold > rounds {
			add(key+".hold", "%d rounds of holding can never be met in %d rounds", s.Hold, rounds)
		}
		if s.Quiet > rounds {
			add(key+".quiet_rounds", "%d quiet rounds can never be met in %d rounds", s.Quiet, rounds)
		}
	}
	return probs
}

// Ladder climbs an ordered list of stages as their entry conditions are met
// and steps back down on reported violations as the highest stage reached
// says.
type Ladder struct {
	p       LadderParams
	index   [][]int // sector indexes of each stage, resolved on the first round
	ready   bool
	reached int // stages reached
	held    streak
	quiet   int // rounds since the last violation report
}

// Reset implements sim.Policy.
func (l *Ladder) Reset() { l.reached, l.held, l.quiet = 0, 0, 1<<30 }

// Decide implements sim.Policy.
func (l *Ladder) Decide(o *sim.Observation, a *sim.Action) {
	if !l.ready {
		for i, s := range l.p.Stages {
			for j, name := range s.Sectors {
				for k, sec := range o.Sectors {
					if sec.Name == name {
						l.index[i][j] = k
					}
				}
			}
		}
		l.ready = true
	}
	if o.Violation {
		l.quiet = 0
		l.held = 0
		if l.reached > 0 {
			top := l.p.Stages[l.reached-1]
			switch top.OnBacksliding {
			case "step-back":
				l.reached = max(l.reached-top.StepBack, 0)
			case "snapback":
				l.reached = 0
			}
		}
	} else {
		l.quiet++
		if l.reached < len(l.p.Stages) {
			next := l.p.Stages[l.reached]
			ok := o.Verified >= next.MinCompliance && l.quiet >= next.Quiet && o.Cohesion >= next.MinCohesion
			if l.held.update(ok) >= next.Hold {
				l.reached++
				l.held = 0
			}
		}
	}
	a.SetAll(0)
	a.Coverage = o.StandingCoverage
	for i, s := range l.p.Stages[:l.reached] {
		for _, k := range l.index[i] {
			a.Relief[k] = s.Relief
		}
		if s.Coverage >= 0 {
			a.Coverage = s.Coverage
		}
	}
}

// Clone implements sim.Policy. The sector indexes are filled in on the
// first decision, so a clone made before it has its own.
func (l *Ladder) Clone() sim.Policy {
	c := *l
	c.index = make([][]int, len(l.index))
	for i, x := range l.index {
		c.index[i] = slices.Clone(x)
	}
	return &c
}

// CopyFrom implements sim.Policy.
func (l *Ladder) CopyFrom(src sim.Policy) {
	o := src.(*Ladder)
	index, filled := l.index, l.ready
	*l = *o
	l.index = index
	if !filled && o.ready { // the indexes, once filled, are the same in every copy
		for i := range index {
			copy(index[i], o.index[i])
		}
	}
	l.ready = filled || o.ready
}
