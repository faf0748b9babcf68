package http1_test

import (
	"errors"
	"fmt"

	"github.com/strandhttp/strand/internal/http1"
)

// A connection feeds the Parser the bytes it has read so far, the same
// buffer growing each time, until the head is complete.
func ExampleParser() {
	reads := []string{
		"POST /upload HTTP/1.1\r\nHo",
		"st: example.com\r\nContent-Length: 5\r\n",
		"\r\nhello",
	}
	var p http1.Parser
	var h http1.Head
	var buf []byte
	for _, r := range reads {
		buf = append(buf, r...)
		n, err := p.Parse(buf, &h)
		if errors.Is(err, http1.ErrNeedMore) {
			fmt.Println("need more")
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%s %s HTTP/1.%d host=%s length=%d\n", h.Method, h.Target, h.Minor, h.Host, h.ContentLength)
		fmt.Printf("body starts with %q\n", buf[n:])
	}
	// Output:
	// need more
	// need more
	// POST /upload HTTP/1.1 host=example.com length=5
	// body starts with "hello"
}

// A refused head carries the status code to answer with.
func ExampleError() {
	var p http1.Parser
	var h http1.Head
	_, err := p.Parse([]byte("GET / HTTP/2.0\r\n\r\n"), &h)
	var e *http1.Error
	if errors.As(err, &e) {
		fmt.Println(e.Status, e.Reason)
	}
	// Output:
	// 505 HTTP version not supported
}

// ChunkedDecoder returns chunk data as slices of its input; the caller
// keeps the bytes it did not consume.
func ExampleChunkedDecoder() {
	src := []byte("5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nChecksum: 42\r\n\r\nNEXT")
	var d http1.ChunkedDecoder
	var body []byte
	for !d.Done() {
		data, n, err := d.Decode(src, 1024)
		if err != nil {
			fmt.Println(err)
			return
		}
		body = append(body, data...)
		src = src[n:]
	}
	fmt.Printf("%s\n", body)
	for _, f := range d.Trailers() {
		fmt.Printf("trailer %s=%s\n", f.Name, f.Value)
	}
	fmt.Printf("left %q\n", src)
	// Output:
	// hello, world
	// trailer Checksum=42
	// left "NEXT"
}

func ExampleAppendChunkHeader() {
	fmt.Printf("%q\n", http1.AppendChunkHeader(nil, 4096))
	// Output:
	// "1000\r\n"
}
