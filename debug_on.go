//go:build strand_debug

package strand

// debugPoison makes the server overwrite a request's memory once its
// handler returns, so that a handler that kept a string or the Request
// itself reads garbage in tests instead of racing in production.
const debugPoison = true

func poison(b []byte) {
	for i := range b[:cap(b)] {
		b[:cap(b)][i] = 0xDE
	}
}
