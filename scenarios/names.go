package scenarios

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tranche-sim/tranche/policy"
)

// MaxNameLength is the longest name of a policy, sector, coalition
// member, neighbouring state, spoiler faction or ladder stage.
const MaxNameLength = 64

// nameRule is what those names may be. They become CSV fields, file names
// of figures and parts of keys (coalition.members[NAME].resolve), so the
// rule is strict: 1 to 64 letters, digits, '_' or '-', starting with a
// letter or digit (no spreadsheet formula can start with one).
var nameRule = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// nameHelp says what a name may be.
const nameHelp = "use 1 to 64 letters, digits, '_' or '-', starting with a letter or digit, that no spreadsheet or data reader takes for a number, a missing value or true or false"

// readerWords are words that CSV readers (R's read.csv, pandas) read as a
// missing value or a truth value, not as the text: a policy named NA
// comes back from R as a missing value.
func readerWords() []string {
	return []string{"na", "nan", "null", "none", "true", "false", "t", "f", "inf", "infinity"}
}

// ValidName reports whether name is a valid name for a policy, sector,
// coalition member, neighbouring state, spoiler faction or ladder stage: 1
// to 64 letters, digits, '_' or '-', starting with a letter or digit, and
// neither a number (007, 1e5) nor a word that readers of CSV files take
// for a missing or a truth value (NA, NULL, TRUE, ...), so that every
// reader gets the name back as written.
func ValidName(name string) bool {
	if !nameRule.MatchString(name) {
		return false
	}
	if _, err := strconv.ParseFloat(name, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		return false
	}
	return !slices.Contains(readerWords(), strings.ToLower(name))
}

// quoteName quotes a name for a message, shortened if it is long.
func quoteName(name string) string {
	if len(name) > 40 {
		return strconv.Quote(name[:37]) + "... (" + strconv.Itoa(len(name)) + " characters)"
	}
	return strconv.Quote(name)
}

// checkNames returns a problem for each name of a list that breaks the
// name rule or repeats another ignoring case. key(i) is the key of the
// i-th name, for the problem's line; what names the list in messages. A
// list value (policies = [...]) has one key for all its names.
func checkNames(what string, names []string, key func(i int) string) []problem {
	list := len(names) > 0 && key(0) == key(len(names)-1) && !strings.Contains(key(0), "[")
	var probs []problem
	seen := map[string]int{}
	for i, n := range names {
		if !ValidName(n) {
			msg := fmt.Sprintf("%s = %s is not a valid name: %s", key(i), quoteName(n), nameHelp)
			if list {
				msg = fmt.Sprintf("%s: %s is not a valid %s name: %s", key(i), quoteName(n), what, nameHelp)
			}
			probs = append(probs, problem{key(i), msg})
			continue
		}
		if j, ok := seen[strings.ToLower(n)]; ok {
			var msg string
			switch {
			case list && n == names[j]:
				msg = fmt.Sprintf("%s: %s is listed twice", key(i), quoteName(n))
			case list:
				msg = fmt.Sprintf("%s: %s and %s differ only in case; %s names must differ ignoring case", key(i), quoteName(names[j]), quoteName(n), what)
			default:
				msg = fmt.Sprintf("%s = %s: %s names must be unique, ignoring case (%s is %s)", key(i), quoteName(n), what, key(j), quoteName(names[j]))
			}
			probs = append(probs, problem{key(i), msg})
			continue
		}
		seen[strings.ToLower(n)] = i
	}
	return probs
}

// checkAllNames applies the name rule to every name the scenario gives:
// its policies (listed and defined), sectors, coalition members,
// neighbouring states, spoiler factions and ladder stages.
func (s *Scenario) checkAllNames() []problem {
	p := &s.Params
	var probs []problem
	names := func(n int, get func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = get(i)
		}
		return out
	}
	probs = append(probs, checkNames("sector", names(len(p.Sectors), func(i int) string { return p.Sectors[i].Name }),
		func(i int) string { return fmt.Sprintf("sectors[%d].name", i) })...)
	probs = append(probs, checkNames("member", names(len(p.Coalition.Members), func(i int) string { return p.Coalition.Members[i].Name }),
		func(i int) string { return fmt.Sprintf("coalition.members[%d].name", i) })...)
	probs = append(probs, checkNames("state", names(len(p.Neighbours.States), func(i int) string { return p.Neighbours.States[i].Name }),
		func(i int) string { return fmt.Sprintf("neighbours.states[%d].name", i) })...)
	probs = append(probs, checkNames("faction", names(len(p.Spoilers.Factions), func(i int) string { return p.Spoilers.Factions[i].Name }),
		func(i int) string { return fmt.Sprintf("spoilers.factions[%d].name", i) })...)

	// Policies: the list, then the tables of policies it does not list.
	probs = append(probs, checkNames("policy", s.Policies, func(int) string { return "policies" })...)
	var defined []string
	for name := range s.PolicyParams {
		defined = append(defined, name)
	}
	for name := range s.refused {
		if _, ok := s.PolicyParams[name]; !ok {
			defined = append(defined, name)
		}
	}
	sort.Strings(defined)
	listed := map[string]bool{}
	for _, n := range s.Policies {
		listed[n] = true
	}
	for _, name := range defined {
		if !listed[name] && !ValidName(name) {
			probs = append(probs, problem{"policy." + name, fmt.Sprintf("[policy.%s] is not a valid policy name: %s", quoteName(name), nameHelp)})
		}
	}
	for _, name := range defined {
		params, _ := policyParts(s.PolicyParams[name])
		l, ok := params.(*policy.LadderParams)
		if !ok {
			continue
		}
		var named []string
		var idx []int
		for i, st := range l.Stages {
			if st.Name != "" { // stage names are optional
				named = append(named, st.Name)
				idx = append(idx, i)
			}
		}
		probs = append(probs, checkNames("stage", named, func(i int) string { return fmt.Sprintf("policy.%s.stages[%d].name", name, idx[i]) })...)
	}
	return probs
}
