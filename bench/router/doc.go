// Package router benchmarks Strand's router against httprouter, chi and gin
// on the GitHub API route set. It is a module of its own so that those
// routers never enter Strand's go.mod; see README.md for how the numbers
// are taken and what they measure.
package router
