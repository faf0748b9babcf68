package negotiate_test

import (
	"fmt"

	"github.com/strandhttp/strand/internal/negotiate"
)

func ExampleAcceptEncoding_Negotiate() {
	offers := []negotiate.Coding{negotiate.Zstd, negotiate.Brotli, negotiate.Gzip}
	for _, field := range []string{
		"gzip, deflate, br",          // equal weights: the server's order
		"br;q=0.5, gzip",             // the client's weights first
		"gzip;q=0.5, identity",       // identity preferred
		"br;q=0, zstd;q=0, gzip;q=0", // nothing acceptable: identity anyway
	} {
		ae := negotiate.ParseAcceptEncoding(field)
		fmt.Printf("%-28q %v\n", field, ae.Negotiate(offers))
	}
	// Output:
	// "gzip, deflate, br"          br
	// "br;q=0.5, gzip"             gzip
	// "gzip;q=0.5, identity"       identity
	// "br;q=0, zstd;q=0, gzip;q=0" identity
}

func ExampleAcceptEncoding_Weight() {
	ae := negotiate.ParseAcceptEncoding("gzip;q=0.8, *;q=0.1, br;q=2")
	for _, c := range []negotiate.Coding{negotiate.Gzip, negotiate.Zstd, negotiate.Brotli} {
		fmt.Println(c, ae.Weight(c))
	}
	// Output:
	// gzip 800
	// zstd 100
	// br 0
}
