package cli

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// certReloader serves a certificate from PEM files and reloads it when the
// files change, so a renewed certificate is picked up without a restart.
// It checks the files at most once per checkInterval, from the handshake
// that comes after it; a file counts as changed when it is another file
// (renamed into place, as certbot and Kubernetes do), or its size or
// modification time differ. If a reload fails (a half-written file, a key
// not yet matching), it keeps the previous certificate and tries again at
// the next check.
type certReloader struct {
	certFile, keyFile string        // immutable
	checkInterval     time.Duration // immutable once serving

	mu        sync.Mutex       // guards the fields below
	cert      *tls.Certificate // never nil after newCertReloader
	certStat  os.FileInfo      // of the files cert was loaded from
	keyStat   os.FileInfo
	lastCheck time.Time
}

func newCertReloader(certFile, keyFile string) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, checkInterval: time.Second}
	if err := r.load(); err != nil {
		return nil, err
	}
	return r, nil
}

// load reads both files; the caller holds mu or is the constructor. Its
// errors name the file at fault and say what is wrong, in one line.
func (r *certReloader) load() error {
	cst, certPEM, err := readPEM(r.certFile)
	if err != nil {
		return fmt.Errorf("TLS certificate %s: %w", r.certFile, err)
	}
	kst, keyPEM, err := readPEM(r.keyFile)
	if err != nil {
		return fmt.Errorf("TLS key %s: %w", r.keyFile, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return fmt.Errorf("TLS certificate %s with key %s: %w", r.certFile, r.keyFile, err)
	}
	r.cert, r.certStat, r.keyStat = &cert, cst, kst
	return nil
}

// readPEM stats and reads a file, with errors that do not repeat its name.
func readPEM(name string) (os.FileInfo, []byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, bareError(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, bareError(err)
	}
	if st.IsDir() {
		return nil, nil, errors.New("is a directory")
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPEMBytes+1))
	if err != nil {
		return nil, nil, bareError(err)
	}
	if len(b) > maxPEMBytes {
		return nil, nil, fmt.Errorf("larger than %d KiB", maxPEMBytes>>10)
	}
	return st, b, nil
}

// maxPEMBytes bounds a certificate or key file: a chain is a few KiB.
const maxPEMBytes = 1 << 20

// bareError drops the operation and path of an *os.PathError, which the
// caller names itself.
func bareError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// GetCertificate is the tls.Config callback.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := time.Now(); now.Sub(r.lastCheck) >= r.checkInterval {
		r.lastCheck = now
		cst, err1 := os.Stat(r.certFile)
		kst, err2 := os.Stat(r.keyFile)
		if err1 == nil && err2 == nil && (changed(r.certStat, cst) || changed(r.keyStat, kst)) {
			_ = r.load() // on failure the old certificate stays
		}
	}
	return r.cert, nil
}

// changed reports whether the file now described by cur is not the one
// loaded, described by old.
func changed(old, cur os.FileInfo) bool {
	return !os.SameFile(old, cur) || !old.ModTime().Equal(cur.ModTime()) || old.Size() != cur.Size()
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
