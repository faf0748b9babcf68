package bufpool_test

import (
	"fmt"

	"github.com/strandhttp/strand/internal/bufpool"
)

func Example() {
	var p bufpool.Pool
	buf := p.Get(1000) // the smallest class: 4 KiB
	fmt.Println(len(buf))
	p.Put(buf)
	// Output: 4096
}
