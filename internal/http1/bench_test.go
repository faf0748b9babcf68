package http1

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

// browserGET is a typical browser request head with 13 fields.
var browserGET = req(
	"GET /search?q=strand+http&lang=en HTTP/1.1",
	"Host: www.example.com",
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
	"Accept-Language: en-US,en;q=0.5",
	"Accept-Encoding: gzip, deflate, br, zstd",
	"Referer: https://www.example.com/",
	"Connection: keep-alive",
	"Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark",
	"Upgrade-Insecure-Requests: 1",
	"Sec-Fetch-Dest: document",
	"Sec-Fetch-Mode: navigate",
	"Sec-Fetch-Site: same-origin",
)

// TestParseHeadAllocs is the allocation budget of the head parser: once a
// Head's Fields array has grown, parsing a typical request allocates
// nothing, through Parser.Parse as through ParseHead.
func TestParseHeadAllocs(t *testing.T) {
	in := []byte(browserGET)
	var p Parser
	var h Head
	tests := []struct {
		name  string
		parse func() error
	}{
		{"Parser.Parse", func() error {
			p.Reset()
			_, err := p.Parse(in, &h)
			return err
		}},
		{"ParseHead", func() error { return ParseHead(in, &h, Limits{}) }},
	}
	for _, tt := range tests {
		allocs := testing.AllocsPerRun(100, func() {
			if err := tt.parse(); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s(browser GET) allocates %v times; want 0", tt.name, allocs)
		}
	}
}

// wrkGET is the request wrk sends: the head of the pipelined plaintext
// benchmark, where the parser's cost per line matters most.
var wrkGET = req("GET /plaintext HTTP/1.1", "Host: 127.0.0.1:8080")

func BenchmarkParseHead(b *testing.B) { benchParse(b, browserGET) }

func BenchmarkParseHeadWrk(b *testing.B) { benchParse(b, wrkGET) }

func benchParse(b *testing.B, head string) {
	in := []byte(head)
	var p Parser
	var h Head
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		p.Reset()
		if _, err := p.Parse(in, &h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseHeadNetHTTP is BenchmarkParseHead's twin: net/http reading
// the same head.
func BenchmarkParseHeadNetHTTP(b *testing.B) {
	in := []byte(browserGET)
	r := bytes.NewReader(in)
	br := bufio.NewReader(r)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		r.Reset(in)
		br.Reset(r)
		if _, err := http.ReadRequest(br); err != nil {
			b.Fatal(err)
		}
	}
}
