package bufpool

import "testing"

func TestGetSizes(t *testing.T) {
	var p Pool
	tests := []struct{ n, want int }{
		{0, 4096}, {1, 4096}, {4096, 4096}, {4097, 8192}, {65536, 65536},
		{MaxSize, MaxSize}, {MaxSize + 1, MaxSize + 1},
	}
	for _, tt := range tests {
		if got := len(p.Get(tt.n)); got != tt.want {
			t.Errorf("len(Get(%d)) = %d; want %d", tt.n, got, tt.want)
		}
	}
}

func TestPutClassByCapacity(t *testing.T) {
	var p Pool
	b := make([]byte, 0, 12000) // grown by append: files under 8 KiB
	b = append(b, 'x')
	p.Put(b)
	p.Put(make([]byte, 100)) // too small: dropped
	got := p.Get(5000)
	if len(got) != 8192 || cap(got) < 8192 {
		t.Fatalf("Get(5000) = len %d cap %d; want 8192", len(got), cap(got))
	}
}

// TestSteadyStateAllocatesNothing guards what the connection loop relies
// on: a warm Get/Put cycle does not allocate.
func TestSteadyStateAllocatesNothing(t *testing.T) {
	var p Pool
	p.Put(p.Get(4096))
	if n := testing.AllocsPerRun(1000, func() { p.Put(p.Get(4096)) }); n != 0 {
		t.Fatalf("Get+Put: %v allocations; want 0", n)
	}
}
