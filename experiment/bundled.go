package experiment

import (
	"embed"
	"fmt"
	"sort"
	"strings"
)

//go:embed bundled/*.toml
var bundled embed.FS

// Names returns the names of the bundled experiments, sorted.
func Names() []string {
	entries, err := bundled.ReadDir("bundled")
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".toml"))
	}
	sort.Strings(names)
	return names
}

// Source returns the text of a bundled experiment.
func Source(name string) ([]byte, error) {
	b, err := bundled.ReadFile("bundled/" + name + ".toml")
	if err != nil {
		return nil, fmt.Errorf("no bundled experiment %q%s; bundled experiments: %s", name, suggest(name, Names()), strings.Join(Names(), ", "))
	}
	return b, nil
}

// Get returns the bundled experiment with the given name.
func Get(name string) (*Experiment, error) {
	b, err := Source(name)
	if err != nil {
		return nil, err
	}
	return Parse(name+".toml", b)
}
