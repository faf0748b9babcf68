//go:build !unix

package strand_test

import "time"

// processCPU is not measured here; the benchmarks then report no cpu-ns/req.
func processCPU() time.Duration { return 0 }
