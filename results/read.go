package results

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// Limits on the files of a results folder read back: a file larger than
// its limit is refused before it is read, whatever its manifest says.
const (
	// MaxManifestBytes bounds manifest.json.
	MaxManifestBytes = 1 << 20
	// MaxDocumentBytes bounds the files read whole: summary.json,
	// comparison.json, definitions.json and scenario.toml.
	MaxDocumentBytes = 64 << 20
	// MaxTableBytes bounds the tables read into memory: rounds.csv and
	// histories.csv.
	MaxTableBytes = 1 << 30
)

// Load reads a complete results folder of this version of the format. It
// refuses a folder whose manifest does not say it is complete (a run
// interrupted, or one still writing it), a folder of another format
// version, and a file whose size or SHA-256 differs from what the manifest
// records (changed after the run), before parsing it.
func Load(dir string) (*Run, error) {
	m, err := ReadManifest(dir)
	if err == nil && m.Kind == KindExperiment {
		return nil, fmt.Errorf("results folder %s holds an experiment (tranche explore), not a study: tranche report and tranche plot read it", dir)
	}
	return load(dir, dir, true)
}

// Load reads the folder being written, to draw its figures before it is
// complete: it checks neither the completeness marker nor the files'
// hashes, which only the finished folder has.
func (f *Folder) Load() (*Run, error) {
	r, err := load(f.tmp, f.final, false)
	if err != nil {
		return nil, f.Hide(err)
	}
	r.Dir = f.final
	return r, nil
}

// load reads the results folder in dir; name is how messages name it.
// strict checks the completeness marker, the format version and the
// files' hashes.
func load(dir, name string, strict bool) (*Run, error) {
	r := &Run{Dir: dir}
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	r.Manifest = *m
	if strict {
		if err := m.CheckReadable(name); err != nil {
			return nil, err
		}
	}
	read := func(file string, limit int64) ([]byte, error) {
		if strict {
			if err := m.Verify(dir, file, limit); err != nil {
				return nil, err
			}
		}
		return readLimited(filepath.Join(dir, file), limit)
	}
	doc := func(file string, v any) error {
		b, err := read(file, MaxDocumentBytes)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(dir, file), err)
		}
		return nil
	}
	if err := doc(DefinitionsFile, &r.Definitions); err != nil {
		return nil, err
	}
	if err := doc("summary.json", &r.Summary); err != nil {
		return nil, err
	}
	var cmp ComparisonReport
	switch err := doc("comparison.json", &cmp); {
	case err == nil:
		r.Comparison = &cmp
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if r.Scenario, err = read("scenario.toml", MaxDocumentBytes); err != nil {
		return nil, err
	}
	table := func(file string, fields int, row func([]string) error) error {
		if strict {
			if err := m.Verify(dir, file, MaxTableBytes); err != nil {
				return err
			}
		}
		return readCSV(dir, file, fields, row)
	}
	if err := table("rounds.csv", 15, func(f []string) error {
		row := RoundRow{Policy: f[0], Metric: f[2]}
		var err error
		if row.Round, err = strconv.Atoi(f[1]); err != nil {
			return err
		}
		vals, err := floats(f[3:15])
		if err != nil {
			return err
		}
		row.Mean, row.SD, row.P05, row.P25, row.P50, row.P75, row.P95 = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6]
		copy(row.Shares[:], vals[7:12])
		r.Rounds = append(r.Rounds, row)
		return nil
	}); err != nil {
		return nil, err
	}
	err = table("histories.csv", 16, func(f []string) error {
		row := HistoryRow{Policy: f[0], Choice: f[15]}
		var err error
		if row.Replication, err = strconv.Atoi(f[1]); err != nil {
			return err
		}
		if row.Round, err = strconv.Atoi(f[2]); err != nil {
			return err
		}
		vals, err := floats(f[3:10])
		if err != nil {
			return err
		}
		row.Compliance, row.Verified, row.Relief, row.Coverage, row.Welfare, row.Stability, row.Leverage = vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6]
		if row.Incidents, err = strconv.Atoi(f[10]); err != nil {
			return err
		}
		row.Snapback, row.Violation, row.FalseAlarm, row.Crisis = f[11] == "1", f[12] == "1", f[13] == "1", f[14] == "1"
		r.Histories = append(r.Histories, row)
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return r, nil
}

// ReadManifest reads the manifest of the results folder in dir, at most
// MaxManifestBytes of it, without checking it.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := readLimited(filepath.Join(dir, "manifest.json"), MaxManifestBytes)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "manifest.json"), err)
	}
	return &m, nil
}

// CheckReadable checks that this tranche can read the folder the manifest
// describes (named name in messages): it is of this format version, and
// complete.
func (m *Manifest) CheckReadable(name string) error {
	switch {
	case m.FormatVersion == 0:
		return fmt.Errorf("results folder %s was made by an earlier release of tranche (%s %s), whose folders this version cannot read: run the study again", name, m.Tool, m.Version)
	case m.FormatVersion < FormatVersion:
		return fmt.Errorf("results folder %s is of format version %d, made by tranche %s; this tranche reads version %d: run the study again", name, m.FormatVersion, m.Version, FormatVersion)
	case m.FormatVersion > FormatVersion:
		return fmt.Errorf("results folder %s is of format version %d, made by a later tranche (%s); this tranche reads version %d: use that version", name, m.FormatVersion, m.Version, FormatVersion)
	case !m.Complete:
		return fmt.Errorf("results folder %s is incomplete: the run that wrote it was interrupted, or is still writing it; run the study again", name)
	}
	return nil
}

// Verify checks file name of the folder in dir against the manifest: it
// must be a regular file no larger than limit, of the size the manifest
// records, with the SHA-256 it records. Nothing beyond the recorded size is
// read. A file the manifest does not record is refused too, with an error
// wrapping fs.ErrNotExist when the folder does not have it either.
func (m *Manifest) Verify(dir, name string, limit int64) error {
	path := filepath.Join(dir, name)
	sum, ok := m.Files[name]
	if !ok {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("results folder %s: %w", dir, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist})
		}
		return fmt.Errorf("%s: the manifest records no such file: the folder was changed after the run", path)
	}
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("results folder %s: %w", dir, pathCause(err, name))
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	case sum.Bytes < 0 || sum.Bytes > limit:
		return fmt.Errorf("%s: the manifest records %d bytes; files of more than %d bytes are not read", path, sum.Bytes, limit)
	case st.Size() != sum.Bytes:
		return fmt.Errorf("%s has %d bytes, the manifest records %d: the file was changed after the run", path, st.Size(), sum.Bytes)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("results folder %s: %w", dir, pathCause(err, name))
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.CopyN(h, f, sum.Bytes); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum.SHA256 {
		return fmt.Errorf("%s: its SHA-256 differs from the manifest's: the file was changed after the run", path)
	}
	return nil
}

// readLimited reads a regular file of at most limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("results folder %s: %w", filepath.Dir(path), pathCause(err, filepath.Base(path)))
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes: not read", path, limit)
	}
	return b, nil
}

// pathCause returns err with its path reduced to the file's name.
func pathCause(err error, name string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
	}
	return err
}
