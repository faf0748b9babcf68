// Package method knows the request methods registered for HTTP: the eight
// of RFC 9110 §9 and PATCH (RFC 5789). Method names are case-sensitive
// (§9.1), so "get" is not GET.
package method

// Registered returns the constant string equal to m when m is a
// registered method, so that a caller can keep it without keeping m's
// memory (a request's recycled buffer); false for any other method.
func Registered(m string) (string, bool) {
	switch m {
	case "GET":
		return "GET", true
	case "HEAD":
		return "HEAD", true
	case "POST":
		return "POST", true
	case "PUT":
		return "PUT", true
	case "DELETE":
		return "DELETE", true
	case "CONNECT":
		return "CONNECT", true
	case "OPTIONS":
		return "OPTIONS", true
	case "TRACE":
		return "TRACE", true
	case "PATCH":
		return "PATCH", true
	}
	return "", false
}
