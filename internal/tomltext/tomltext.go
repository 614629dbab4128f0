// Package tomltext reads what a TOML decoder does not report about a
// file written by hand: the line of each key, and how deeply its values
// nest, so that messages about values can name their line and deeply
// nested input can be refused before it is parsed.
package tomltext

import (
	"regexp"
	"strconv"
	"strings"
)

var index = regexp.MustCompile(`\[\d+\]`)

// Lines maps key paths such as "coalition.members[2].resolve" to the
// line on which they are defined, so that errors about values (which the
// TOML decoder does not place) can name the line. It understands the TOML
// that people write by hand: tables, arrays of tables, dotted and quoted
// keys, and multi-line strings and arrays; a key it cannot place falls back
// to its table's line.
type Lines map[string]int

// Index indexes the keys of a TOML text by line.
func Index(text string) Lines {
	idx := Lines{}
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
			depth += BracketBalance(t)
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
			depth = BracketBalance(val)
		}
	}
	return idx
}

// Line returns the line of key, or of the nearest enclosing table; 0 when
// nothing encloses it.
func (idx Lines) Line(key string) int {
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
func setOnce(idx Lines, key string, ln int) {
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

// BracketBalance counts '[' minus ']' outside strings and comments.
func BracketBalance(s string) int {
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

// Nesting returns the deepest nesting of brackets and braces in a TOML
// text, outside strings and comments, and the line where it is first
// reached; it stops counting beyond limit. Table headers count too: a
// header is one or two brackets deep.
func Nesting(text string, limit int) (depth, line int) {
	d, ln := 0, 1
	var quote byte // the quote of the string the scan is in, 0 outside
	multi := false // a multi-line string
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\n' {
			ln++
		}
		switch {
		case quote != 0:
			switch {
			case c == '\\' && quote == '"':
				i++
			case c == quote && multi && strings.HasPrefix(text[i:], strings.Repeat(string(quote), 3)):
				quote, multi = 0, false
				i += 2
			case c == quote && !multi:
				quote = 0
			case c == '\n' && !multi:
				quote = 0 // an unterminated string: the parser reports it
			}
		case c == '#':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			i--
		case c == '"' || c == '\'':
			quote = c
			if strings.HasPrefix(text[i:], strings.Repeat(string(c), 3)) {
				multi = true
				i += 2
			}
		case c == '[' || c == '{':
			d++
			if d > depth {
				depth, line = d, ln
				if depth > limit {
					return depth, line
				}
			}
		case c == ']' || c == '}':
			d = max(d-1, 0)
		}
	}
	return depth, line
}
