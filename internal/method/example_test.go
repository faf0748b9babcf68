package method_test

import (
	"fmt"

	"github.com/strandhttp/strand/internal/method"
)

func ExampleRegistered() {
	for _, m := range []string{"PATCH", "patch", "PROPFIND"} {
		fmt.Println(method.Registered(m))
	}
	// Output:
	// PATCH true
	//  false
	//  false
}
