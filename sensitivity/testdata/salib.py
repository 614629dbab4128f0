"""Cross-check of package sensitivity against SALib (not part of the build).

SALib is not vendored: bring its source and put it on PYTHONPATH, e.g.

    git clone https://github.com/SALib/SALib /tmp/SALib   # or an archive of it
    PYTHONPATH=/tmp/SALib/src python3 testdata/salib.py reference

Modes:

  reference         prints the reference values embedded in salib_test.go,
                    computed from SALib's own sampler and analysers.
  analyze IN OUT    reads the JSON written by TestSALibLive (our designs and
                    outputs), runs SALib's analysers on them and writes their
                    results as JSON to OUT.

Needs numpy, scipy and pandas.
"""

import json
import sys
import warnings

import numpy as np

from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample


def problem(d):
    return {
        "num_vars": d,
        "names": ["x%d" % i for i in range(d)],
        "bounds": [[0.0, 1.0]] * d,
    }


def ishigami(u):
    # The same arithmetic as ishigami in functions_test.go.
    x = -np.pi + 2 * np.pi * u
    s2 = np.sin(x[:, 1])
    return (np.sin(x[:, 0]) + 7.0 * s2 * s2
            + 0.1 * x[:, 2] * x[:, 2] * x[:, 2] * x[:, 2] * np.sin(x[:, 0]))


def gfunction(u, a):
    p = np.ones(u.shape[0])
    for i, ai in enumerate(a):
        p = p * ((np.abs(4 * u[:, i] - 2) + ai) / (1 + ai))
    return p


# The Morris trajectories of TestSALibReference (3 factors, 4 levels).
MORRIS_TRAJECTORIES = [
    [[0, 1 / 3, 2 / 3], [2 / 3, 1 / 3, 2 / 3], [2 / 3, 1, 2 / 3], [2 / 3, 1, 0]],
    [[1, 0, 1 / 3], [1, 0, 1], [1 / 3, 0, 1], [1 / 3, 2 / 3, 1]],
    [[1 / 3, 1, 0], [1 / 3, 1 / 3, 0], [1, 1 / 3, 0], [1, 1 / 3, 2 / 3]],
    [[2 / 3, 0, 1], [2 / 3, 0, 1 / 3], [2 / 3, 2 / 3, 1 / 3], [0, 2 / 3, 1 / 3]],
    [[0, 2 / 3, 1 / 3], [0, 0, 1 / 3], [0, 0, 1], [2 / 3, 0, 1]],
]


def fmt(v):
    return "[" + ", ".join(repr(float(x)) for x in np.ravel(v)) + "]"


def reference():
    warnings.simplefilter("ignore")
    # Sobol': Ishigami, 3 factors, 64 base rows, second order.
    p = problem(3)
    x = sobol_sample.sample(p, 64, calc_second_order=True, scramble=False, skip_values=1)
    print("Ishigami sample rows 0, 1, 7:", fmt(x[0]), fmt(x[1]), fmt(x[7]))
    si = sobol_analyze.analyze(p, ishigami(x), calc_second_order=True, seed=1)
    print("Ishigami S1:", fmt(si["S1"]))
    print("Ishigami ST:", fmt(si["ST"]))
    print("Ishigami S2 (0,1) (0,2) (1,2):", fmt([si["S2"][0, 1], si["S2"][0, 2], si["S2"][1, 2]]))
    # Sobol': G-function of 8 factors, 128 base rows, first and total order.
    a = [0, 1, 4.5, 9, 99, 99, 99, 99]
    p = problem(8)
    x = sobol_sample.sample(p, 128, calc_second_order=False, scramble=False, skip_values=1)
    si = sobol_analyze.analyze(p, gfunction(x, a), calc_second_order=False, seed=1)
    print("G S1:", fmt(si["S1"]))
    print("G ST:", fmt(si["ST"]))
    # Morris: Ishigami on the trajectories above.
    x = np.array(MORRIS_TRAJECTORIES, dtype=float).reshape(-1, 3)
    si = morris_analyze.analyze(problem(3), x, ishigami(x), num_levels=4, seed=1)
    print("Morris mu:", fmt(si["mu"]))
    print("Morris mu_star:", fmt(si["mu_star"]))
    print("Morris sigma:", fmt(si["sigma"]))


def analyze(inpath, outpath):
    warnings.simplefilter("ignore")
    with open(inpath) as f:
        cases = json.load(f)
    results = []
    for c in cases:
        y = np.array(c["y"], dtype=float)
        d = c["d"]
        if c["kind"] == "sobol":
            si = sobol_analyze.analyze(problem(d), y, calc_second_order=c["second"],
                                       num_resamples=c["resamples"], seed=1)
            r = {"S1": list(si["S1"]), "ST": list(si["ST"]),
                 "S1_conf": list(si["S1_conf"]), "ST_conf": list(si["ST_conf"])}
            if c["second"]:
                r["S2"] = [[None if np.isnan(v) else v for v in row] for row in si["S2"].tolist()]
        else:
            x = np.array(c["x"], dtype=float)
            si = morris_analyze.analyze(problem(d), x, y, num_levels=c["levels"],
                                        num_resamples=c["resamples"], seed=1)
            r = {"mu": list(si["mu"]), "mu_star": list(si["mu_star"]),
                 "sigma": list(si["sigma"]), "mu_star_conf": list(si["mu_star_conf"])}
        results.append({k: [float(v) if v is not None and not isinstance(v, list) else v for v in vs]
                        for k, vs in r.items()})
    with open(outpath, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    if sys.argv[1:2] == ["reference"]:
        reference()
    elif sys.argv[1:2] == ["analyze"] and len(sys.argv) == 4:
        analyze(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
