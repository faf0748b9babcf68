package cli

import (
	"crypto/tls"
	"fmt"
	"os"
	"sync"
	"time"
)

// certReloader serves a certificate from PEM files and reloads it when the
// files change, so a renewed certificate is picked up without a restart.
// It checks the files' modification times at most once per checkInterval;
// if a reload fails (a half-written file), it keeps the previous
// certificate and tries again at the next check.
type certReloader struct {
	certFile, keyFile string
	checkInterval     time.Duration

	mu        sync.Mutex
	cert      *tls.Certificate
	certMod   time.Time
	keyMod    time.Time
	lastCheck time.Time
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, checkInterval: time.Second}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

// load reads both files; the caller holds mu or is the constructor.
func (r *certReloader) load() error {
	cst, err := os.Stat(r.certFile)
	if err != nil {
		return fmt.Errorf("certificate %s: %w", r.certFile, err)
	}
	kst, err := os.Stat(r.keyFile)
	if err != nil {
		return fmt.Errorf("key %s: %w", r.keyFile, err)
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("certificate %s with key %s: %w", r.certFile, r.keyFile, err)
	}
	r.cert, r.certMod, r.keyMod = &cert, cst.ModTime(), kst.ModTime()
	return nil
}

// GetCertificate is the tls.Config callback.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.lastCheck) >= r.checkInterval {
		r.lastCheck = now
		cst, err1 := os.Stat(r.certFile)
		kst, err2 := os.Stat(r.keyFile)
		if err1 == nil && err2 == nil && (!cst.ModTime().Equal(r.certMod) || !kst.ModTime().Equal(r.keyMod)) {
			_ = r.load() // on failure the old certificate stays
		}
	}
	return r.cert, nil
}

// serverTLSConfig is TLS 1.2 and later with Go's modern defaults (AEAD
// cipher suites, X25519 first), the reloading certificate and ALPN for
// HTTP/1.1.
func serverTLSConfig(r *certReloader) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: r.GetCertificate,
		NextProtos:     []string{"http/1.1"},
	}
}
