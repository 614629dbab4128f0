package results

import (
	"io"
	"sort"
	"sync"

	"github.com/tranche-sim/tranche/agents"
	"github.com/tranche-sim/tranche/sim"
)

// SampleHistories is the number of replications of each policy whose
// round-by-round history a run keeps in histories.csv, for drawing
// individual histories. They are replications 0 to SampleHistories-1, the
// same for every policy (common random numbers).
const SampleHistories = 4

// HistoryRow is one round of one replication of one policy.
type HistoryRow struct {
	Policy      string
	Replication int
	Round       int
	// Levels in force during the round.
	Compliance, Verified, Relief, Coverage, Welfare, Stability, Leverage float64
	// Incidents is the number of spoiler attacks in the round.
	Incidents int
	// Snapback, Violation and FalseAlarm mark the round's events; Choice is
	// the target's choice; Crisis a regional crisis starting.
	Snapback, Violation, FalseAlarm, Crisis bool
	Choice                                  string
}

// HistoriesCSVHeader is the header of histories.csv.
const HistoriesCSVHeader = "policy,replication,round,compliance,verified_compliance,relief,humanitarian_coverage,humanitarian_index,stability_index,leverage,spoiler_incidents,snapback,violation,false_alarm,crisis,choice\n"

// Histories collects sample histories; it is safe for concurrent use.
type Histories struct {
	mu   sync.Mutex
	rows []HistoryRow
}

// Add records the history of replication rep under the named policy.
func (h *Histories) Add(policy string, rep int, o *sim.Outcome) {
	rows := HistoryRows(policy, rep, o)
	h.mu.Lock()
	h.rows = append(h.rows, rows...)
	h.mu.Unlock()
}

// HistoryRows turns one replication's outcome into history rows.
func HistoryRows(policy string, rep int, o *sim.Outcome) []HistoryRow {
	s := o.Series
	rows := make([]HistoryRow, len(o.Events))
	for r, e := range o.Events {
		rows[r] = HistoryRow{
			Policy: policy, Replication: rep, Round: r + 1,
			Compliance: s[sim.SeriesCompliance][r], Verified: s[sim.SeriesVerified][r], Relief: s[sim.SeriesRelief][r],
			Coverage: s[sim.SeriesCoverage][r], Welfare: s[sim.SeriesHumanitarian][r], Stability: s[sim.SeriesStability][r],
			Leverage: s[sim.SeriesLeverage][r], Incidents: int(s[sim.SeriesIncidents][r]),
			Snapback: e.Snapback, Violation: e.Violation, FalseAlarm: e.FalseAlarm, Crisis: e.Shocks.Crisis,
			Choice: agents.Choice(e.Choice).String(),
		}
	}
	return rows
}

// Rows returns the histories sorted by the given policy order, then
// replication and round.
func (h *Histories) Rows(policies []string) []HistoryRow {
	h.mu.Lock()
	defer h.mu.Unlock()
	order := map[string]int{}
	for i, p := range policies {
		order[p] = i
	}
	rows := append([]HistoryRow(nil), h.rows...)
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Policy != b.Policy {
			return order[a.Policy] < order[b.Policy]
		}
		if a.Replication != b.Replication {
			return a.Replication < b.Replication
		}
		return a.Round < b.Round
	})
	return rows
}

// WriteHistoriesCSV writes history rows as CSV.
func WriteHistoriesCSV(w io.Writer, rows []HistoryRow) error {
	t, err := newCSVTable(w, HistoriesCSVHeader)
	if err != nil {
		return err
	}
	bit := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	for _, r := range rows {
		t.row().str(r.Policy).num(float64(r.Replication)).num(float64(r.Round))
		for _, x := range []float64{r.Compliance, r.Verified, r.Relief, r.Coverage, r.Welfare, r.Stability, r.Leverage} {
			t.num(x)
		}
		t.num(float64(r.Incidents)).num(bit(r.Snapback)).num(bit(r.Violation)).num(bit(r.FalseAlarm)).num(bit(r.Crisis))
		if err := t.str(r.Choice).end(); err != nil {
			return err
		}
	}
	return t.close()
}
