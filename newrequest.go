package strand

import (
	"bytes"
	"io"
	"strings"

	"github.com/strandhttp/strand/internal/http1"
)

// NewRequest builds a Request outside a server, for tests and for calling
// handlers in process: method and target are parsed as a request line
// would be (target in origin, absolute, authority or asterisk form), Host
// is "example.com" unless the target names one, and body (nil for none)
// becomes Body, with ContentLength set when its length is known.
//
// The Request is the caller's: it is not recycled, and its strings stay
// valid. strandtest.NewRequest wraps it for tests.
func NewRequest(method, target string, body io.Reader) (*Request, error) {
	r := &Request{}
	r.raw = []byte(method + " " + target + " HTTP/1.1\r\nHost: example.com\r\n\r\n")
	if err := http1.ParseHead(r.raw, &r.head, http1.Limits{}); err != nil {
		return nil, err
	}
	r.fill(&r.head)
	r.Body = noBody{}
	if body != nil {
		r.Body = io.NopCloser(body)
		r.ContentLength = -1
		switch b := body.(type) {
		case *bytes.Buffer:
			r.ContentLength = int64(b.Len())
		case *bytes.Reader:
			r.ContentLength = int64(b.Len())
		case *strings.Reader:
			r.ContentLength = int64(b.Len())
		}
	}
	return r, nil
}
