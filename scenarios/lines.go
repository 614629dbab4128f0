package scenarios

import (
	"strconv"
	"strings"
)

// lineIndex maps key paths such as "coalition.members[2].resolve" to the
// line on which they are defined, so that errors about values (which the
// TOML decoder does not place) can name the line. It understands the TOML
// that people write by hand: tables, arrays of tables, dotted and quoted
// keys, and multi-line strings and arrays; a key it cannot place falls back
// to its table's line.
type lineIndex map[string]int

func indexLines(text string) lineIndex {
	idx := lineIndex{}
	arrays := map[string]int{} // array-of-tables path -> element count
	prefix := ""
	inString := false // inside a multi-line string
	depth := 0        // open brackets of a multi-line array
	for n, line := range strings.Split(text, "\n") {
		ln := n + 1
		t := strings.TrimSpace(line)
		if inString {
			if strings.Count(t, `"""`)%2 == 1 || strings.Count(t, `'''`)%2 == 1 {
				inString = false
			}
			continue
		}
		if depth > 0 {
			depth += bracketBalance(t)
			continue
		}
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.HasPrefix(t, "[[") {
			path := resolve(arrays, keyPath(strings.TrimSuffix(strings.TrimPrefix(t[:strings.Index(t, "]]")+2], "[["), "]]")))
			arrays[path]++
			prefix = path + "[" + strconv.Itoa(arrays[path]-1) + "]"
			setOnce(idx, prefix, ln)
			continue
		}
		if t[0] == '[' {
			end := strings.Index(t, "]")
			if end < 0 {
				continue
			}
			prefix = resolve(arrays, keyPath(t[1:end]))
			setOnce(idx, prefix, ln)
			continue
		}
		eq := strings.Index(t, "=")
		if eq < 0 {
			continue
		}
		key := keyPath(t[:eq])
		if prefix != "" {
			key = prefix + "." + key
		}
		setOnce(idx, key, ln)
		val := strings.TrimSpace(t[eq+1:])
		if strings.HasPrefix(val, `"""`) && strings.Count(val, `"""`) == 1 ||
			strings.HasPrefix(val, `'''`) && strings.Count(val, `'''`) == 1 {
			inString = true
		}
		if strings.HasPrefix(val, "[") {
			depth = bracketBalance(val)
		}
	}
	return idx
}

// line returns the line of key, or of the nearest enclosing table; 0 when
// nothing encloses it.
func (idx lineIndex) line(key string) int {
	for key != "" {
		if n, ok := idx[key]; ok {
			return n
		}
		cut := max(strings.LastIndex(key, "."), strings.LastIndex(key, "["))
		if cut < 0 {
			return 0
		}
		key = key[:cut]
	}
	return 0
}

// setOnce records the first line of key, and of key without array indices
// (the decoder names unknown keys in arrays of tables without them).
func setOnce(idx lineIndex, key string, ln int) {
	for _, k := range []string{key, index.ReplaceAllString(key, "")} {
		if _, ok := idx[k]; !ok {
			idx[k] = ln
		}
	}
}

// keyPath normalises a TOML key (bare, quoted or dotted) to a dotted path.
func keyPath(k string) string {
	var parts []string
	for _, p := range splitKey(strings.TrimSpace(k)) {
		parts = append(parts, strings.Trim(strings.TrimSpace(p), `"'`))
	}
	return strings.Join(parts, ".")
}

// splitKey splits a dotted key at dots outside quotes.
func splitKey(k string) []string {
	var parts []string
	var quote byte
	start := 0
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '.':
			parts = append(parts, k[start:i])
			start = i + 1
		}
	}
	return append(parts, k[start:])
}

// resolve turns a table path into an indexed path: a table below an array
// of tables belongs to the array's latest element.
func resolve(arrays map[string]int, path string) string {
	segs := strings.Split(path, ".")
	out := ""
	for i, s := range segs {
		if i > 0 {
			out += "."
		}
		out += s
		if n, ok := arrays[out]; ok && i < len(segs)-1 {
			out += "[" + strconv.Itoa(n-1) + "]"
		}
	}
	return out
}

// bracketBalance counts '[' minus ']' outside strings and comments.
func bracketBalance(s string) int {
	d := 0
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#':
			return d
		case c == '[':
			d++
		case c == ']':
			d--
		}
	}
	return d
}
