package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

//go:embed bundled/*.toml
var bundled embed.FS

// Bundled is a scenario shipped with tranche.
type Bundled struct {
	// Name is the scenario's name (its file name without .toml).
	Name string
	// Summary is the first sentence of its description.
	Summary string
	// Source is the file as shipped, comments included.
	Source []byte
}

// List returns the bundled scenarios, default first, then by name.
func List() ([]Bundled, error) {
	entries, err := bundled.ReadDir("bundled")
	if err != nil {
		return nil, fmt.Errorf("bundled scenarios: %w", err)
	}
	var out []Bundled
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".toml")
		src, err := bundled.ReadFile(path.Join("bundled", e.Name()))
		if err != nil {
			return nil, fmt.Errorf("bundled scenario %s: %w", name, err)
		}
		s, err := Parse(e.Name(), src)
		if err != nil {
			return nil, fmt.Errorf("bundled scenario %s: %w", name, err)
		}
		summary, _, _ := strings.Cut(s.Description, ". ")
		out = append(out, Bundled{Name: name, Summary: strings.TrimSuffix(summary, "."), Source: src})
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Name == "default") != (out[j].Name == "default") {
			return out[i].Name == "default"
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Names returns the names of the bundled scenarios.
func Names() []string {
	l, _ := List()
	var n []string
	for _, b := range l {
		n = append(n, b.Name)
	}
	return n
}

// Get returns the bundled scenario with the given name.
func Get(name string) (*Scenario, error) {
	src, err := bundled.ReadFile("bundled/" + name + ".toml")
	if err != nil {
		return nil, fmt.Errorf("no bundled scenario %q%s; bundled scenarios: %s", name, closest(name, Names(), 3), strings.Join(Names(), ", "))
	}
	return Parse(name+".toml", src)
}

// Load reads a scenario file, or a bundled scenario when arg has no path
// separator, no .toml suffix and names one.
func Load(arg string) (*Scenario, error) {
	if !strings.ContainsRune(arg, os.PathSeparator) && !strings.HasSuffix(arg, ".toml") {
		if _, err := bundled.ReadFile("bundled/" + arg + ".toml"); err == nil {
			return Get(arg)
		}
	}
	data, err := readFile(arg)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !strings.ContainsRune(arg, os.PathSeparator) {
			return nil, fmt.Errorf("scenario %s: no such file, and no bundled scenario of that name%s (bundled: %s)", arg, closest(arg, Names(), 3), strings.Join(Names(), ", "))
		}
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(arg, data)
}

// readFile reads a scenario file: a regular file of at most MaxFileBytes
// (a device such as /dev/zero, or a file larger than that, is refused
// without being read whole).
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s has more than %d bytes (%d MiB): scenario files are smaller", path, MaxFileBytes, MaxFileBytes>>20)
	}
	return data, nil
}
