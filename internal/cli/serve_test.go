package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// serveTree writes a small site: an index, a file, a directory without
// index, and a dotfile.
func serveTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range map[string]string{
		"index.html":    "<h1>home</h1>\n",
		"a.txt":         "file a\n",
		"sub/b.txt":     "file b\n",
		".secret":       "hidden\n",
		"app/index.css": "p{}\n",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// startServe runs `strand serve args...` on a free loopback port in the
// background and waits until it accepts connections. stop cancels it and
// returns the exit code.
func startServe(t *testing.T, args ...string) (addr string, stdout, stderr *syncBuffer, stop func() int) {
	t.Helper()
	addr = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, append([]string{"serve", "--addr", addr}, args...), stdout, stderr)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		select {
		case n := <-code:
			cancel()
			t.Fatalf("strand serve exited with %d: stderr %q", n, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("strand serve did not start: stderr %q", stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := false
	var exit int
	stop = func() int {
		if !stopped {
			stopped = true
			cancel()
			exit = <-code
		}
		return exit
	}
	t.Cleanup(func() { stop() })
	return addr, stdout, stderr, stop
}

// TestServeFiles checks `strand serve DIR`: files, index.html, listings,
// dotfiles hidden, health endpoint, a start log line, and exit 0 on
// cancel.
func TestServeFiles(t *testing.T) {
	dir := serveTree(t)
	addr, stdout, stderr, stop := startServe(t, dir)
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	for _, tc := range []struct {
		path   string
		status int
		body   string // substring
		ctype  string
	}{
		{"/a.txt", 200, "file a\n", "text/plain; charset=utf-8"},
		{"/", 200, "<h1>home</h1>", "text/html; charset=utf-8"},
		{"/sub/", 200, "b.txt", "text/html; charset=utf-8"}, // listing, on by default
		{"/sub", 301, "", ""},
		{"/.secret", 404, "", ""},
		{"/missing", 404, "", ""},
		{"/health", 200, "ok\n", "text/plain; charset=utf-8"},
		{"/../../etc/passwd", 400, "", ""},
	} {
		req, _ := http.NewRequest("GET", "http://"+addr+tc.path, nil)
		resp, err := client.Transport.RoundTrip(req) // no redirects followed
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.body) {
			t.Errorf("GET %s = %d %.60q; want %d with %q", tc.path, resp.StatusCode, b, tc.status, tc.body)
		}
		if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
			t.Errorf("GET %s Content-Type = %q; want %q", tc.path, resp.Header.Get("Content-Type"), tc.ctype)
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code after cancel = %d; want 0 (stderr %q)", code, stderr.String())
	}
	first, _, _ := strings.Cut(stdout.String(), "\n")
	if !strings.Contains(first, `"msg":"strand serving"`) || !strings.Contains(first, "http://"+addr) || !strings.Contains(first, dir) {
		t.Errorf("first log line = %q; want the start line with http://%s and %s", first, addr, dir)
	}
}

// TestServeListingOff checks --listing=false: a directory without an
// index is not found, one with an index is still served.
func TestServeListingOff(t *testing.T) {
	dir := serveTree(t)
	addr, _, _, _ := startServe(t, "--listing=false", dir)
	resp, _ := get(t, "http://"+addr+"/sub/")
	if resp.StatusCode != 404 {
		t.Errorf("--listing=false: GET /sub/ = %d; want 404", resp.StatusCode)
	}
	if resp, body := get(t, "http://"+addr+"/"); resp.StatusCode != 200 || !strings.Contains(body, "home") {
		t.Errorf("--listing=false: GET / = %d; want the index", resp.StatusCode)
	}
}

// TestServeOptions checks --hidden and --spa.
func TestServeOptions(t *testing.T) {
	dir := serveTree(t)
	addr, _, _, _ := startServe(t, "--hidden", "--spa", "/index.html", dir)
	if resp, body := get(t, "http://"+addr+"/.secret"); resp.StatusCode != 200 || body != "hidden\n" {
		t.Errorf("--hidden: GET /.secret = %d %q; want 200", resp.StatusCode, body)
	}
	if resp, body := get(t, "http://"+addr+"/some/client/route"); resp.StatusCode != 200 || !strings.Contains(body, "home") {
		t.Errorf("--spa: GET /some/client/route = %d %q; want the index page", resp.StatusCode, body)
	}
}

// TestServeCacheControl checks --cache-control: rules by file name and by
// URL path, the first match winning, none for other files.
func TestServeCacheControl(t *testing.T) {
	dir := serveTree(t)
	addr, _, _, _ := startServe(t, "--cache-control", "*.css=public, max-age=86400, immutable",
		"--cache-control", "/sub/*=no-store", "--cache-control", "*.txt=max-age=60", dir)
	for _, tc := range []struct{ path, want string }{
		{"/app/index.css", "public, max-age=86400, immutable"},
		{"/sub/b.txt", "no-store"}, // the URL-path rule comes before *.txt
		{"/a.txt", "max-age=60"},
		{"/index.html", ""},
	} {
		resp, _ := get(t, "http://"+addr+tc.path)
		if got := resp.Header.Get("Cache-Control"); resp.StatusCode != 200 || got != tc.want {
			t.Errorf("GET %s = %d, Cache-Control %q; want 200, %q", tc.path, resp.StatusCode, got, tc.want)
		}
	}
}

// TestServeCacheControlErrors checks that a malformed rule stops the
// command with exit code 2 and says what is wrong first (the flag package
// then prints the usage).
func TestServeCacheControlErrors(t *testing.T) {
	dir := serveTree(t)
	for _, tc := range []struct{ rule, want string }{
		{"*.css", `invalid value "*.css" for flag -cache-control: want PATTERN=VALUE, e.g. '*.css=public, max-age=86400'`},
		{"=no-store", `invalid value "=no-store" for flag -cache-control: want PATTERN=VALUE, e.g. '*.css=public, max-age=86400'`},
		{"*.css= ", `invalid value "*.css= " for flag -cache-control: want PATTERN=VALUE, e.g. '*.css=public, max-age=86400'`},
		{"[=no-store", `invalid value "[=no-store" for flag -cache-control: pattern "[": syntax error in pattern`},
	} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), []string{"serve", "--addr", freeAddr(t), "--cache-control", tc.rule, dir}, &stdout, &stderr)
		if first, _, _ := strings.Cut(stderr.String(), "\n"); code != 2 || first != tc.want {
			t.Errorf("--cache-control %q: exit %d, first line %q; want 2, %q", tc.rule, code, first, tc.want)
		}
	}
}

// TestServeFlagsAfterDir checks that flags may follow DIR, as in
// "strand serve ./site --listing=false", and that "--" ends the flags, so
// that a directory whose name starts with "-" can be served.
func TestServeFlagsAfterDir(t *testing.T) {
	dir := serveTree(t)
	addr, _, _, _ := startServe(t, dir, "--listing=false")
	if resp, _ := get(t, "http://"+addr+"/sub/"); resp.StatusCode != 404 {
		t.Errorf("DIR --listing=false: GET /sub/ = %d; want 404 (the flag after DIR taken)", resp.StatusCode)
	}
	dashed := filepath.Join(dir, "-site")
	if err := os.Mkdir(dashed, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dashed, "x.txt"), []byte("dashed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	addr, _, _, _ = startServe(t, "--", "-site")
	if resp, body := get(t, "http://"+addr+"/x.txt"); resp.StatusCode != 200 || body != "dashed\n" {
		t.Errorf("serve -- -site: GET /x.txt = %d %q; want the file of -site", resp.StatusCode, body)
	}
}

// TestServeFlagsBeforeServe checks "strand --addr A --listing=false serve
// DIR": strand's own flags, given before the word serve, are serve's.
func TestServeFlagsBeforeServe(t *testing.T) {
	dir := serveTree(t)
	addr, _, stop := startRun(t, "--engine", "epoll", "serve", "--listing=false", dir)
	defer func() {
		if code := stop(); code != 0 {
			t.Errorf("exit code %d; want 0", code)
		}
	}()
	if resp, body := get(t, "http://"+addr+"/a.txt"); resp.StatusCode != 200 || body != "file a\n" {
		t.Errorf("GET /a.txt = %d %q; want DIR's file", resp.StatusCode, body)
	}
	if resp, _ := get(t, "http://"+addr+"/sub/"); resp.StatusCode != 404 {
		t.Errorf("GET /sub/ = %d; want 404 (--listing=false after serve)", resp.StatusCode)
	}
}

// TestServeDefaultDir checks that without DIR the current directory is
// served.
func TestServeDefaultDir(t *testing.T) {
	dir := serveTree(t)
	t.Chdir(dir)
	addr, _, _, _ := startServe(t)
	if resp, body := get(t, "http://"+addr+"/a.txt"); resp.StatusCode != 200 || body != "file a\n" {
		t.Errorf("serve without DIR: GET /a.txt = %d %q; want the current directory's file", resp.StatusCode, body)
	}
}

// TestServeErrors checks that each mistake a person can make gives one
// clear line on stderr and a non-zero exit, without a stack trace.
func TestServeErrors(t *testing.T) {
	dir := serveTree(t)
	certFile, keyFile := writeCert(t, t.TempDir(), 1)
	_, otherKey := writeCert(t, t.TempDir(), 2)
	garbage := filepath.Join(t.TempDir(), "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	inUse, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer inUse.Close()
	missing := filepath.Join(dir, "no-such-dir")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // regexp the one line must match
	}{
		{"missing directory", []string{missing},
			1, `^strand serve: cannot serve .*no-such-dir: no such directory$`},
		{"a file, not a directory", []string{filepath.Join(dir, "a.txt")},
			1, `^strand serve: cannot serve .*a\.txt: not a directory$`},
		{"port in use", []string{"--addr", inUse.Addr().String(), dir},
			1, `^strand serve: cannot listen on 127\.0\.0\.1:\d+: .*address already in use$`},
		{"malformed address", []string{"--addr", "127.0.0.1", dir},
			1, `^strand serve: cannot listen on 127\.0\.0\.1: .*missing port`},
		{"missing certificate", []string{"--tls-cert", filepath.Join(dir, "nope.pem"), "--tls-key", keyFile, dir},
			1, `^strand serve: cannot use TLS certificate .*nope\.pem: no such file or directory$`},
		{"missing key", []string{"--tls-cert", certFile, "--tls-key", filepath.Join(dir, "nope.key"), dir},
			1, `^strand serve: cannot use TLS key .*nope\.key: no such file or directory$`},
		{"unreadable certificate: a directory", []string{"--tls-cert", dir, "--tls-key", keyFile, dir},
			1, `^strand serve: cannot use TLS certificate .*: is a directory$`},
		{"not a certificate", []string{"--tls-cert", garbage, "--tls-key", keyFile, dir},
			1, `^strand serve: cannot use TLS certificate .*garbage\.pem with key .*: tls: failed to find any PEM data in certificate input$`},
		{"key of another certificate", []string{"--tls-cert", certFile, "--tls-key", otherKey, dir},
			1, `^strand serve: cannot use TLS certificate .* with key .*: tls: private key does not match public key$`},
		{"certificate without key", []string{"--tls-cert", certFile, dir},
			2, `^strand serve: --tls-cert and --tls-key go together$`},
		{"two directories", []string{dir, dir},
			2, `^strand serve: one directory at most, got 2: \[".*" ".*"\]$`},
		{"two directories, a flag between", []string{dir, "--hidden", dir},
			2, `^strand serve: one directory at most, got 2: \[".*" ".*"\]$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if args[0] != "--addr" {
				args = append([]string{"--addr", freeAddr(t)}, args...)
			}
			var stdout, stderr bytes.Buffer
			code := Run(context.Background(), append([]string{"serve"}, args...), &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit code = %d; want %d (stderr %q)", code, tc.code, stderr.String())
			}
			checkOneLine(t, stderr.String(), tc.want)
		})
	}
}

// TestServeUnreadableCertificate checks a certificate the process may
// not read. Root reads everything, so it is skipped there.
func TestServeUnreadableCertificate(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read a file with mode 000")
	}
	certFile, keyFile := writeCert(t, t.TempDir(), 1)
	if err := os.Chmod(certFile, 0); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), []string{"serve", "--addr", freeAddr(t), "--tls-cert", certFile, "--tls-key", keyFile, t.TempDir()}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d; want 1", code)
	}
	checkOneLine(t, stderr.String(), `^strand serve: cannot use TLS certificate .*: permission denied$`)
}

// checkOneLine checks that stderr is one line matching the pattern, with
// no trace of a panic.
func checkOneLine(t *testing.T, stderr, pattern string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") {
		t.Errorf("stderr = %q; want exactly one line", stderr)
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") || strings.Contains(stderr, ".go:") {
		t.Errorf("stderr = %q; want no stack trace", stderr)
	}
	if !regexp.MustCompile(pattern).MatchString(strings.TrimSuffix(stderr, "\n")) {
		t.Errorf("stderr = %q; want a line matching %s", stderr, pattern)
	}
}

// TestServeHTTPS serves over TLS with a certificate made for the test,
// to Go's client and to curl; TLS 1.2 is the minimum.
func TestServeHTTPS(t *testing.T) {
	dir := serveTree(t)
	certDir := t.TempDir()
	certFile, keyFile := writeCert(t, certDir, 1)
	addr, stdout, _, stop := startServe(t, "--tls-cert", certFile, "--tls-key", keyFile, dir)
	pool := certPool(t, certFile)

	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	resp, body := getWith(t, client, "https://"+addr+"/a.txt")
	if resp.StatusCode != 200 || body != "file a\n" {
		t.Errorf("HTTPS GET /a.txt = %d %q; want 200 \"file a\\n\"", resp.StatusCode, body)
	}
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("TLS state %+v; want TLS 1.2 or later", resp.TLS)
	} else if n := resp.TLS.PeerCertificates[0].SerialNumber.Int64(); n != 1 {
		t.Errorf("certificate serial %d; want 1", n)
	}

	// ALPN (RFC 7301): offered h2 and http/1.1, the server picks the one
	// it speaks.
	alpn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := alpn.ConnectionState().NegotiatedProtocol; p != "http/1.1" {
		t.Errorf("ALPN protocol %q; want http/1.1", p)
	}
	alpn.Close()

	// TLS 1.1 and older are refused.
	old := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}
	if c, err := tls.Dial("tcp", addr, old); err == nil {
		c.Close()
		t.Errorf("a TLS 1.1 handshake succeeded; want it refused")
	}

	// curl, a client with another TLS stack.
	if curl, err := exec.LookPath("curl"); err != nil {
		t.Log("curl not installed: skipping the curl check")
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, curl, "-sS", "-v", "--cacert", certFile, "https://"+addr+"/a.txt")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Errorf("curl: %v\n%s", err, errOut.String())
		} else {
			t.Logf("curl: %s", regexp.MustCompile(`(?m)^\* (SSL|TLS) connection using .*$`).FindString(errOut.String()))
			if out.String() != "file a\n" {
				t.Errorf("curl body = %q; want \"file a\\n\"", out.String())
			}
			if m := regexp.MustCompile(`(?:SSL connection using|TLS connection using) (TLSv1\.[0-9])`).FindStringSubmatch(errOut.String()); m != nil &&
				m[1] != "TLSv1.2" && m[1] != "TLSv1.3" {
				t.Errorf("curl negotiated %s; want TLS 1.2 or later", m[1])
			}
		}
	}
	if code := stop(); code != 0 {
		t.Errorf("exit code = %d; want 0", code)
	}
	if first, _, _ := strings.Cut(stdout.String(), "\n"); !strings.Contains(first, "https://"+addr) {
		t.Errorf("start line = %q; want https://%s", first, addr)
	}
}

// TestServeCertificateReload replaces the certificate files of a running
// `strand serve` (as a renewal does, writing new files and renaming them
// into place) and checks that new connections get the new certificate.
func TestServeCertificateReload(t *testing.T) {
	dir := serveTree(t)
	certDir := t.TempDir()
	certFile, keyFile := writeCert(t, certDir, 1)
	pool := certPool(t, certFile)
	addr, _, _, _ := startServe(t, "--tls-cert", certFile, "--tls-key", keyFile, dir)
	if n := peerSerial(t, addr, pool); n != 1 {
		t.Fatalf("serial before the renewal = %d; want 1", n)
	}
	newCert, newKey := writeCert(t, t.TempDir(), 2)
	pool.AppendCertsFromPEM(mustRead(t, newCert))
	for _, mv := range [][2]string{{newKey, keyFile}, {newCert, certFile}} {
		if err := os.Rename(mv[0], mv[1]); err != nil {
			t.Fatal(err)
		}
	}
	// The files are checked at most once a second: poll new connections.
	deadline := time.Now().Add(10 * time.Second)
	for peerSerial(t, addr, pool) != 2 {
		if time.Now().After(deadline) {
			t.Fatal("new connections still get serial 1 ten seconds after the renewal")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCertReloader checks the reloader itself with a short interval:
// a half-written certificate keeps the old one; a complete pair, even
// written in place within the same clock tick, replaces it.
func TestCertReloader(t *testing.T) {
	certDir := t.TempDir()
	certFile, keyFile := writeCert(t, certDir, 1)
	r, err := newCertReloader(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	r.checkInterval = 0
	serial := func() int64 {
		t.Helper()
		c, err := r.GetCertificate(nil)
		if err != nil || c == nil {
			t.Fatalf("GetCertificate = %v, %v", c, err)
		}
		leaf, err := x509.ParseCertificate(c.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return leaf.SerialNumber.Int64()
	}
	if n := serial(); n != 1 {
		t.Fatalf("serial = %d; want 1", n)
	}
	// A renewal caught half way: the certificate file is truncated.
	if err := os.WriteFile(certFile, []byte("-----BEGIN CERT"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := serial(); n != 1 {
		t.Errorf("serial with a half-written file = %d; want the old 1", n)
	}
	// The renewal completes: a new pair written in place.
	c2, k2 := writeCert(t, t.TempDir(), 2)
	for _, cp := range [][2]string{{c2, certFile}, {k2, keyFile}} {
		if err := os.WriteFile(cp[1], mustRead(t, cp[0]), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if n := serial(); n != 2 {
		t.Errorf("serial after the renewal = %d; want 2", n)
	}
	// Files that disappear keep the certificate being served.
	os.Remove(certFile)
	if n := serial(); n != 2 {
		t.Errorf("serial with the files gone = %d; want 2", n)
	}
	// The interval bounds the checks.
	r.checkInterval = time.Hour
	r.lastCheck = time.Now()
	c3, k3 := writeCert(t, t.TempDir(), 3)
	if err := os.Rename(c3, certFile); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(k3, keyFile); err != nil {
		t.Fatal(err)
	}
	if n := serial(); n != 2 {
		t.Errorf("serial within the check interval = %d; want 2", n)
	}
}

// writeCert writes a self-signed ECDSA certificate for 127.0.0.1 and
// localhost with the given serial number, and its key, as PEM files in
// dir.
func writeCert(t *testing.T, dir string, serial int64) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "strand test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func certPool(t *testing.T, certFile string) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(mustRead(t, certFile)) {
		t.Fatal("no certificate in " + certFile)
	}
	return pool
}

// peerSerial makes a new TLS connection and returns the serial number of
// the certificate the server presented.
func peerSerial(t *testing.T, addr string, pool *x509.CertPool) int64 {
	t.Helper()
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestServeStack checks the middleware `strand serve` puts around the
// files: a compressible file compressed for a client that asks, request
// IDs, a JSON log line per request, and the readiness probe; on both
// engines.
func TestServeStack(t *testing.T) {
	for _, engine := range []string{"goroutine", "epoll"} {
		t.Run(engine, func(t *testing.T) {
			dir := serveTree(t)
			big := strings.Repeat("compressible text, ", 200)
			if err := os.WriteFile(filepath.Join(dir, "big.txt"), []byte(big), 0o644); err != nil {
				t.Fatal(err)
			}
			addr, stdout, _, stop := startServe(t, "--engine", engine, dir)
			defer stop()
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			resp, body := getWith(t, &http.Client{Transport: tr}, "http://"+addr+"/big.txt")
			if !resp.Uncompressed || body != big || resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("GET /big.txt: decoded from gzip %v, body intact %v, X-Request-ID %q; want gzip, intact, an ID",
					resp.Uncompressed, body == big, resp.Header.Get("X-Request-Id"))
			}
			if resp, _ = get(t, "http://"+addr+"/ready"); resp.StatusCode != 200 {
				t.Errorf("GET /ready = %d; want 200", resp.StatusCode)
			}
			if !strings.Contains(stdout.String(), `"path":"/big.txt"`) {
				t.Errorf("log %q: want a line for /big.txt", stdout.String())
			}
		})
	}
}
