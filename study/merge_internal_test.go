package study

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tranche-sim/tranche/results"
)

// FuzzShardCSV feeds the check of a shard's replications table arbitrary
// bytes: it must refuse or accept, never panic, and accept only a table
// with the study's header and the shard's rows in order.
func FuzzShardCSV(f *testing.F) {
	header := []string{"policy", "replication", "durable_agreement"}
	f.Add([]byte("policy,replication,durable_agreement\na,5,1\nb,5,0\na,6,\nb,6,1\n"))
	f.Add([]byte("policy,replication,durable_agreement\na,5,1\n"))
	f.Add([]byte("policy,replication\n"))
	f.Add([]byte("\"policy\nreplication\",\"\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "replications.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		m := results.Manifest{
			Policies: []string{"a", "b"},
			Shard:    &results.Shard{First: 5, Replications: 2},
			Files:    map[string]results.FileSum{"replications.csv": {Bytes: int64(len(data))}},
		}
		if err := checkReplicationsCSV(path, header, m); err == nil {
			want := "policy,replication,durable_agreement\n"
			if len(data) < len(want) || string(data[:len(want)]) != want {
				t.Errorf("accepted a table without the study's header: %q", data)
			}
		}
	})
}
