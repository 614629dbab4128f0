package tomltext

import "testing"

func TestLineIndex(t *testing.T) {
	src := `# comment
name = "x"
[target]
noise = 0.3 # trailing
"quoted" = 1
[[coalition.members]]
name = "a"
[[coalition.members]]
name = "b"
[coalition.members.extra]
deep = 1
list = [
  1, 2,
]
after = 2
desc = """
x = 1
"""
end = 3
`
	idx := Index(src)
	cases := map[string]int{
		"name": 2, "target.noise": 4, "target.quoted": 5,
		"coalition.members[0].name": 7, "coalition.members[1].name": 9,
		"coalition.members[1].extra.deep": 11, "coalition.members[1].extra.after": 15,
		"coalition.members[1].extra.end": 19, "coalition.members[1].missing": 8,
		"coalition.members.name": 7,
	}
	for k, want := range cases {
		if got := idx.Line(k); got != want {
			t.Errorf("line(%q) = %d, want %d", k, got, want)
		}
	}
}
