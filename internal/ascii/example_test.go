package ascii_test

import (
	"fmt"

	"github.com/strandhttp/strand/internal/ascii"
)

func ExampleHasTokenFold() {
	fmt.Println(ascii.HasTokenFold("keep-alive, Upgrade", "upgrade"))
	fmt.Println(ascii.HasTokenFold("closed", "close"))
	// Output:
	// true
	// false
}

func ExampleCanonicalInPlace() {
	name := []byte("x-forwarded-FOR")
	ascii.CanonicalInPlace(name)
	fmt.Printf("%s\n", name)
	// Output:
	// X-Forwarded-For
}
