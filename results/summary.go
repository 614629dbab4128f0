package results

import (
	"bytes"
	"encoding/json"
	"io"
	"math"
)

// Summary is the study-level report written to summary.json.
type Summary struct {
	Scenario     string          `json:"scenario"`
	Seed         uint64          `json:"seed"`
	Replications int             `json:"replications"`
	Rounds       int             `json:"rounds"`
	Policies     []PolicySummary `json:"policies"`
}

// PolicySummary holds one policy's statistics.
type PolicySummary struct {
	Policy  string      `json:"policy"`
	Metrics MetricStats `json:"metrics"`
}

// MetricStats are statistics by metric key, kept in the model's metric
// order (JSON objects written from it keep that order).
type MetricStats []KeyedStats

// KeyedStats are one metric's statistics.
type KeyedStats struct {
	Key string
	Stats
}

// Get returns the statistics of the metric with the given key.
func (m MetricStats) Get(key string) (Stats, bool) {
	for _, k := range m {
		if k.Key == key {
			return k.Stats, true
		}
	}
	return Stats{}, false
}

// Summarize computes the summary of an aggregate.
func Summarize(scenario string, seed uint64, a *Aggregate) *Summary {
	s := &Summary{Scenario: scenario, Seed: seed, Rounds: a.Rounds}
	var tt tTable
	for p, name := range a.Policies {
		ps := PolicySummary{Policy: name}
		for k, def := range a.Metrics {
			ps.Metrics = append(ps.Metrics, KeyedStats{def.Key, describe(a.Metric(p, k), def.Kind, &tt)})
		}
		s.Policies = append(s.Policies, ps)
	}
	if len(a.Policies) > 0 {
		s.Replications = a.Metric(0, 0).N()
	}
	return s
}

// MarshalJSON writes the statistics as an object in metric order.
func (m MetricStats) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k.Key)
		b.Write(key)
		b.WriteByte(':')
		st, err := json.Marshal(k.Stats)
		if err != nil {
			return nil, err
		}
		b.Write(st)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads statistics written by MarshalJSON, keeping their order.
func (m *MetricStats) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // {
		return err
	}
	*m = nil
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		var st Stats
		if err := dec.Decode(&st); err != nil {
			return err
		}
		*m = append(*m, KeyedStats{Key: t.(string), Stats: st})
	}
	_, err := dec.Token() // }
	return err
}

// statsJSON is Stats as JSON, with null for NaN (JSON has no NaN) and the
// interval's ends named as summary.csv names them.
type statsJSON struct {
	N      int      `json:"n"`
	Mean   *float64 `json:"mean"`
	SD     *float64 `json:"sd"`
	CI95Lo *float64 `json:"ci95_lo"`
	CI95Hi *float64 `json:"ci95_hi"`
	P05    *float64 `json:"p05"`
	P25    *float64 `json:"p25"`
	P50    *float64 `json:"p50"`
	P75    *float64 `json:"p75"`
	P95    *float64 `json:"p95"`
}

// MarshalJSON writes NaN as null.
func (s Stats) MarshalJSON() ([]byte, error) {
	return json.Marshal(statsJSON{s.N, jsonNumber(s.Mean), jsonNumber(s.SD), jsonNumber(s.CI95[0]), jsonNumber(s.CI95[1]), jsonNumber(s.P05), jsonNumber(s.P25), jsonNumber(s.P50), jsonNumber(s.P75), jsonNumber(s.P95)})
}

// UnmarshalJSON reads null as NaN.
func (s *Stats) UnmarshalJSON(data []byte) error {
	var in statsJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*s = Stats{N: in.N, Mean: val(in.Mean), SD: val(in.SD), CI95: [2]float64{val(in.CI95Lo), val(in.CI95Hi)},
		P05: val(in.P05), P25: val(in.P25), P50: val(in.P50), P75: val(in.P75), P95: val(in.P95)}
	return nil
}

// jsonNumber is x for JSON: null when it is NaN or infinite.
func jsonNumber(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func val(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// WriteSummaryJSON writes s as indented JSON.
func WriteSummaryJSON(w io.Writer, s *Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// SummaryCSVHeader is the header of summary.csv.
const SummaryCSVHeader = "policy,metric,n,mean,sd,ci95_lo,ci95_hi,p05,p25,p50,p75,p95\n"

// WriteSummaryCSV writes s in long format, one row per policy and metric.
func WriteSummaryCSV(w io.Writer, s *Summary) error {
	t, err := newCSVTable(w, SummaryCSVHeader)
	if err != nil {
		return err
	}
	for _, p := range s.Policies {
		for _, m := range p.Metrics {
			t.row().str(p.Policy).str(m.Key).num(float64(m.N))
			for _, x := range []float64{m.Mean, m.SD, m.CI95[0], m.CI95[1], m.P05, m.P25, m.P50, m.P75, m.P95} {
				t.num(x)
			}
			if err := t.end(); err != nil {
				return err
			}
		}
	}
	return t.close()
}

// RoundsCSVHeader is the header of rounds.csv: for each policy, round and
// series, the mean, its standard deviation over replications, five
// percentiles, and the shares of replications in the five fifths of the
// series' range (share_0_20 for the lowest fifth).
const RoundsCSVHeader = "policy,round,metric,mean,sd,p05,p25,p50,p75,p95,share_0_20,share_20_40,share_40_60,share_60_80,share_80_100\n"

// WriteRoundsCSV writes the per-round series in tidy (long) format.
func WriteRoundsCSV(w io.Writer, a *Aggregate) error {
	t, err := newCSVTable(w, RoundsCSVHeader)
	if err != nil {
		return err
	}
	var l levels
	for p := range a.Policies {
		for r := range a.Rounds {
			for s := range a.Series {
				row := a.roundRow(p, s, r, &l)
				t.row().str(row.Policy).num(float64(row.Round)).str(row.Metric).num(row.Mean).num(row.SD)
				t.num(row.P05).num(row.P25).num(row.P50).num(row.P75).num(row.P95)
				for _, x := range row.Shares {
					t.num(x)
				}
				if err := t.end(); err != nil {
					return err
				}
			}
		}
	}
	return t.close()
}
