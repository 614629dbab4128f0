// Package design generates the points of experimental designs in the unit
// hypercube [0,1)^d: unscrambled Sobol' sequences ([Sobol]), Latin hypercube
// samples ([LatinHypercube]) and full factorial designs ([FactorialSize],
// [FactorialCell]), and a run order that covers a design evenly when the
// experiment is cut short ([SpreadOrder]).
//
// Callers map the points to their factors' ranges themselves.
//
// # Direction numbers
//
// The Sobol' sequence uses the direction numbers new-joe-kuo-6.21201 of
// S. Joe and F. Y. Kuo, "Constructing Sobol sequences with better
// two-dimensional projections", SIAM J. Sci. Comput. 30, 2635–2654 (2008),
// https://web.maths.unsw.edu.au/~fkuo/sobol/. The first [MaxSobolDims]
// dimensions are embedded in the package as the file new-joe-kuo-6.1000.txt.
// They are copyright (c) 2008 Frances Y. Kuo and Stephen Joe and distributed
// under a BSD-style licence, whose text is in the file LICENSE-joe-kuo.txt
// next to this package's sources. The licence asks that binary
// distributions reproduce that notice in their documentation.
package design
