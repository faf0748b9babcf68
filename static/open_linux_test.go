//go:build linux

package static

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestDirUsesOpenat2 guards the premise of the other tests on Linux: Dir
// opens with openat2, so the safety corpus exercises it.
func TestDirUsesOpenat2(t *testing.T) {
	h := mustDir(t, newFixture(t), nil)
	f, err := h.open("a.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.(*rawFile); !ok {
		t.Skipf("Dir opens %T, not with openat2: the kernel refuses it", f)
	}
}

// TestSpecialFilesRefused checks that Dir refuses a FIFO in the root with
// 404, without hanging the handler in open (as os.Root, the fallback,
// would: it opens without O_NONBLOCK).
func TestSpecialFilesRefused(t *testing.T) {
	root := newFixture(t)
	if err := syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	h := mustDir(t, root, nil)
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	done := make(chan *result, 1)
	go func() { done <- c.do("GET", "/fifo") }()
	select {
	case res := <-done:
		if res.status != 404 {
			t.Errorf("GET /fifo = %d; want 404", res.status)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("GET /fifo hangs")
	}
	if _, err := h.open("fifo"); !errors.Is(err, errSpecialFile) {
		t.Errorf("open(fifo) = %v; want errSpecialFile", err)
	}
}

// TestRawFile checks the methods of Dir's openat2 files.
func TestRawFile(t *testing.T) {
	root := newFixture(t)
	h := mustDir(t, root, nil)
	f, err := h.open("r.txt")
	if err != nil {
		t.Fatal(err)
	}
	rf, ok := f.(*rawFile)
	if !ok {
		t.Skipf("Dir opens %T, not with openat2", f)
	}
	st, err := rf.Stat()
	if err != nil || st.Name() != "r.txt" || st.Size() != 100 || !st.Mode().IsRegular() || st.IsDir() ||
		!st.ModTime().Equal(fixedTime) || st.Mode().Perm() != 0o644 || st.Sys() != nil {
		t.Errorf("Stat = %v %v %v %v %v; want r.txt, 100 bytes, regular 0644, %v", st.Name(), st.Size(), st.Mode(), st.ModTime(), err, fixedTime)
	}
	buf := make([]byte, 10)
	if n, err := rf.Read(buf); n != 10 || err != nil || string(buf) != rangeBody[:10] {
		t.Errorf("Read = %d %v %q", n, err, buf[:n])
	}
	if n, err := rf.Read(nil); n != 0 || err != nil {
		t.Errorf("Read(nil) = %d, %v; want 0, nil", n, err)
	}
	if n, err := rf.ReadAt(buf, 95); n != 5 || err != io.EOF || string(buf[:5]) != rangeBody[95:] {
		t.Errorf("ReadAt(95) = %d %v %q; want 5, EOF, the last 5 bytes", n, err, buf[:n])
	}
	if _, err := rf.ReadAt(buf, -1); err == nil {
		t.Error("ReadAt(-1) succeeded")
	}
	if off, err := rf.Seek(98, io.SeekStart); off != 98 || err != nil {
		t.Errorf("Seek(98) = %d, %v", off, err)
	}
	if b, err := io.ReadAll(rf); string(b) != rangeBody[98:] || err != nil {
		t.Errorf("ReadAll after Seek = %q, %v", b, err)
	}
	if _, err := rf.Seek(-1, io.SeekStart); err == nil {
		t.Error("Seek(-1) succeeded")
	}
	sc, err := rf.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var fd uintptr
	if err := sc.Control(func(d uintptr) { fd = d }); err != nil || int(fd) != rf.fd {
		t.Errorf("Control gave %d, %v; want %d", fd, err, rf.fd)
	}
	if err := sc.Read(func(uintptr) bool { return false }); err == nil {
		t.Error("RawConn.Read with a function that is not done succeeded")
	}
	if err := sc.Write(func(uintptr) bool { return true }); err == nil {
		t.Error("RawConn.Write succeeded")
	}
	if fresh, err := rf.freshStat(); err != nil || versionOf(fresh) != versionOf(st) {
		t.Errorf("freshStat = %v; want the version of Stat", err)
	}
	if err := rf.Close(); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Close": rf.Close(),
		"Read":  second(rf.Read(buf)),
		"ReadAt": func() error {
			_, err := rf.ReadAt(buf, 0)
			return err
		}(),
		"Seek":        second(rf.Seek(0, io.SeekStart)),
		"Stat":        second(rf.Stat()),
		"freshStat":   second(rf.freshStat()),
		"SyscallConn": second(rf.SyscallConn()),
	} {
		if !errors.Is(err, fs.ErrClosed) {
			t.Errorf("%s after Close = %v; want fs.ErrClosed", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestFileMode checks the conversion of st_mode.
func TestFileMode(t *testing.T) {
	for _, tc := range []struct {
		in   uint32
		want fs.FileMode
	}{
		{syscall.S_IFREG | 0o644, 0o644},
		{syscall.S_IFDIR | 0o755, fs.ModeDir | 0o755},
		{syscall.S_IFLNK | 0o777, fs.ModeSymlink | 0o777},
		{syscall.S_IFIFO | 0o600, fs.ModeNamedPipe | 0o600},
		{syscall.S_IFSOCK | 0o600, fs.ModeSocket | 0o600},
		{syscall.S_IFCHR | 0o600, fs.ModeDevice | fs.ModeCharDevice | 0o600},
		{syscall.S_IFBLK | 0o600, fs.ModeDevice | 0o600},
		{syscall.S_IFREG | syscall.S_ISUID | syscall.S_ISGID | syscall.S_ISVTX | 0o755, fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky | 0o755},
	} {
		if got := fileMode(tc.in); got != tc.want {
			t.Errorf("fileMode(%#o) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

// TestCacheLinkSwap swaps a cached file's directory for a link out of
// the root: the old content may be served until the check, the outside
// file never.
func TestCacheLinkSwap(t *testing.T) {
	base, root := safetyTree(t)
	writeTree(t, root, map[string]string{"d/canary.txt": "inside"}, fixedTime)
	h := mustDir(t, root, nil)
	clock := useFakeClock(h)
	addr, _ := startServer(t, h)
	c := newClient(t, addr)
	if res := warm(c, "/d/canary.txt"); res.body != "inside" {
		t.Fatalf("GET /d/canary.txt = %d %q", res.status, res.body)
	}
	if err := os.RemoveAll(filepath.Join(root, "d")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "outside"), filepath.Join(root, "d")); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		res := c.do("GET", "/d/canary.txt")
		if strings.Contains(res.body, canary) {
			t.Fatalf("GET /d/canary.txt served the outside file")
		}
		clock.Advance(cacheValidity)
	}
	if res := c.do("GET", "/d/canary.txt"); res.status != 404 {
		t.Errorf("GET /d/canary.txt after the check = %d %q; want 404", res.status, res.body)
	}
}
