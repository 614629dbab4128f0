package scenarios

import "flag"

// Update is the -update flag of this package's tests: it rewrites generated
// documentation sections and golden reference files instead of checking
// them.
var Update = flag.Bool("update", false, "rewrite generated docs and golden files")
