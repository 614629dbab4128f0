// Package sensitivity implements global sensitivity analysis: Morris's
// elementary effects screening and variance-based Sobol' indices estimated
// by Saltelli's scheme, with bootstrap intervals and a correction for
// independent noise in the outputs (the Monte Carlo error of a stochastic
// simulation).
//
// The package works on any function: samplers return points in the unit
// hypercube [0,1]^d, which callers map to their factors' ranges and evaluate
// themselves, and estimators take the outputs as plain slices. Everything is
// a deterministic function of its arguments (seeds included); nothing keeps
// hidden state.
//
// # Morris
//
// [MorrisDesign] draws r trajectories of d+1 points on a p-level grid, each
// step moving one factor by Δ = p/(2(p-1)), as in Morris (1991) and SALib's
// morris sampler without trajectory optimisation. [MorrisIndices] computes
// the elementary effects from the points it is given, and their mean μ,
// mean absolute value μ* (Campolongo, Cariboni and Saltelli 2007) and
// standard deviation σ, with a bootstrap interval on μ*.
//
// # Sobol'
//
// [SaltelliSample] builds the base matrices A and B from the unscrambled
// Sobol' sequence of package design and the cross matrices AB_i (and BA_i
// for second-order indices). [SobolIndices] estimates first-order indices
// with the estimator of Saltelli et al. (2010), total-order indices with
// Jansen's (1999) and second-order ones as Saltelli (2002), with the
// conventions of SALib's sobol analyser: outputs centred by their overall
// mean, Var(Y) the population variance of the A and B outputs, normal
// bootstrap intervals over the N base rows.
//
// # Noise
//
// The outputs of a stochastic simulation carry Monte Carlo noise, which
// variance-based indices read as an effect: a factor without any effect
// gets a total index of about σ²/Var(Y). Given the noise variance σ² of
// each output (independent across points), SobolIndices reports the share
// of Var(Y) that is noise and corrects the indices for it (see
// SobolIndices for the derivation), and MorrisIndices reports the μ* that
// noise alone would produce.
//
// # References
//
//   - M. D. Morris, "Factorial sampling plans for preliminary computational
//     experiments", Technometrics 33, 161–174 (1991).
//   - F. Campolongo, J. Cariboni and A. Saltelli, "An effective screening
//     design for sensitivity analysis of large models", Environmental
//     Modelling & Software 22, 1509–1518 (2007).
//   - F. Campolongo, A. Saltelli and J. Cariboni, "From screening to
//     quantitative sensitivity analysis. A unified approach", Computer
//     Physics Communications 182, 978–988 (2011).
//   - I. M. Sobol', "Global sensitivity indices for nonlinear mathematical
//     models and their Monte Carlo estimates", Mathematics and Computers in
//     Simulation 55, 271–280 (2001).
//   - A. Saltelli, "Making best use of model evaluations to compute
//     sensitivity indices", Computer Physics Communications 145, 280–297
//     (2002).
//   - A. Saltelli, P. Annoni, I. Azzini, F. Campolongo, M. Ratto and
//     S. Tarantola, "Variance based sensitivity analysis of model output.
//     Design and estimator for the total sensitivity index", Computer Physics
//     Communications 181, 259–270 (2010).
//   - M. J. W. Jansen, "Analysis of variance designs for model output",
//     Computer Physics Communications 117, 35–43 (1999).
//   - J. Herman and W. Usher, "SALib: An open-source Python library for
//     sensitivity analysis", Journal of Open Source Software 2(9), 97 (2017).
package sensitivity
