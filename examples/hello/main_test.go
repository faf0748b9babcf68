package main

import (
	"testing"

	"github.com/strandhttp/strand/internal/enginetest"
)

// TestMain runs the tests once per connection engine (enginetest).
func TestMain(m *testing.M) { enginetest.Main(m) }
