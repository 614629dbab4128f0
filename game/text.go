package game

import (
	"fmt"
	"strings"
)

// wrapText wraps text at word boundaries to lines of at most width columns.
func wrapText(text string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
		case n+1+len(word) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

// wrapItems lays items out after prefix, two spaces apart, continuing on
// lines indented like the first item.
func wrapItems(prefix string, items []string, width int) string {
	var b strings.Builder
	b.WriteString(prefix)
	n := len(prefix)
	indent := strings.Repeat(" ", len(prefix))
	for i, it := range items {
		if i > 0 {
			if n+2+len(it) > width {
				b.WriteString("\n" + indent)
				n = len(indent)
			} else {
				b.WriteString("  ")
				n += 2
			}
		}
		b.WriteString(it)
		n += len(it)
	}
	return b.String()
}

// roundLabel says when a round is: "year 2, quarter 1" with quarterly
// rounds.
func roundLabel(round, months int) string {
	start := (round - 1) * months // months before the round
	year := start/12 + 1
	switch {
	case months == 12:
		return fmt.Sprintf("year %d", year)
	case months%12 == 0:
		return fmt.Sprintf("years %d-%d", year, year+months/12-1)
	case 12%months == 0:
		k := start%12/months + 1
		switch months {
		case 1:
			return fmt.Sprintf("year %d, month %d", year, k)
		case 3:
			return fmt.Sprintf("year %d, quarter %d", year, k)
		case 6:
			return fmt.Sprintf("year %d, half %d", year, k)
		}
		return fmt.Sprintf("year %d, months %d-%d", year, start%12+1, start%12+months)
	}
	return fmt.Sprintf("months %d-%d", start+1, start+months)
}
