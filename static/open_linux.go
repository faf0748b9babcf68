//go:build linux

package static

// This file opens the files of a Dir with openat2(2): one system call that
// resolves the name beneath the root directory's descriptor and refuses
// any step out of it (RESOLVE_BENEATH: "..", absolute links, links that
// lead outside; RESOLVE_NO_MAGICLINKS: /proc/self/fd and its kind), the
// guarantee os.Root gives, without os.Root's walk of the path one
// component at a time and without os.File's set-up (fcntl to toggle
// O_NONBLOCK, an epoll registration that fails for regular files). The
// file is kept as a bare descriptor, a rawFile: the server's ReadFrom
// hands it to sendfile(2) through its SyscallConn, as it would an
// *os.File.
//
// Kernels before 5.6 lack openat2, and some sandboxes refuse it; Dir
// probes it once and falls back to os.Root.

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// dirRoot opens files beneath a directory with openat2. Immutable.
type dirRoot struct {
	dir     *os.File // the root directory (O_PATH), kept open: fd is its descriptor
	fd      int
	resolve uint64 // RESOLVE_* flags
}

// newDirRoot opens root for openat2, or returns nil when the kernel will
// not do openat2 (ENOSYS before Linux 5.6, EPERM under some seccomp
// filters, EINVAL for flags it does not know): the caller falls back to
// os.Root. allowOutside lets symbolic links lead anywhere, magic links
// excepted.
func newDirRoot(root string, allowOutside bool) *dirRoot {
	// O_PATH: the root needs search permission only, as for os.Root.
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	r := &dirRoot{dir: os.NewFile(uintptr(fd), root), fd: fd, resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS}
	if allowOutside {
		r.resolve = unix.RESOLVE_NO_MAGICLINKS
	}
	probe, err := r.openat2(".", unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		r.dir.Close()
		return nil
	}
	unix.Close(probe)
	return r
}

// openFlags: O_NONBLOCK, so that a FIFO in the tree cannot hang the
// handler in open (regular files ignore it); O_NOCTTY for devices.
const openFlags = unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY

// maxOpenRetries bounds retries of EAGAIN, which openat2 returns when a
// rename raced with the resolution of the path and it could not prove
// the result stays beneath the root.
const maxOpenRetries = 4

func (r *dirRoot) openat2(name string, flags int) (int, error) {
	how := unix.OpenHow{Flags: uint64(flags) | unix.O_CLOEXEC, Resolve: r.resolve}
	var fd int
	var err error
	for tries := 0; ; tries++ {
		fd, err = unix.Openat2(r.fd, name, &how)
		if err != unix.EINTR && (err != unix.EAGAIN || tries >= maxOpenRetries) {
			break
		}
	}
	runtime.KeepAlive(r.dir) // fd stays open until the call returned
	return fd, err
}

// open opens name (fs.ValidPath form) beneath the root. Only regular
// files and directories are opened; anything else (a FIFO, a device, a
// socket) is refused with errSpecialFile.
func (r *dirRoot) open(name string) (fs.File, error) {
	fd, err := r.openat2(name, openFlags)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	f := &rawFile{fd: fd, info: rawInfo{name: path.Base(name)}}
	if err := f.fstat(&f.info); err != nil {
		f.Close()
		return nil, err
	}
	if t := f.info.mode.Type(); t != 0 && t != fs.ModeDir {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errSpecialFile}
	}
	return f, nil
}

// rawFile is a file opened by dirRoot: a bare descriptor. Owned by the
// handler's goroutine; Close releases the descriptor (there is no
// finalizer).
type rawFile struct {
	fd       int // -1 once closed
	info     rawInfo
	blocking bool // O_NONBLOCK was cleared, after a read said EAGAIN
}

var (
	_ fs.File       = (*rawFile)(nil)
	_ io.Seeker     = (*rawFile)(nil)
	_ io.ReaderAt   = (*rawFile)(nil)
	_ syscall.Conn  = (*rawFile)(nil)
	_ fs.FileInfo   = (*rawInfo)(nil)
	_ identityInfo  = (*rawInfo)(nil)
	_ freshStatFile = (*rawFile)(nil)
)

// fstat fills info (its name aside) from the descriptor.
func (f *rawFile) fstat(info *rawInfo) error {
	var st unix.Stat_t
	for {
		err := unix.Fstat(f.fd, &st)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &fs.PathError{Op: "stat", Path: info.name, Err: err}
		}
		break
	}
	info.size = st.Size
	info.mode = fileMode(st.Mode)
	info.mtime = st.Mtim.Nano()
	info.id = fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), ctime: st.Ctim.Nano()}
	return nil
}

// Stat returns what fstat said when the file was opened.
func (f *rawFile) Stat() (fs.FileInfo, error) {
	if f.fd < 0 {
		return nil, f.closedError("stat")
	}
	return &f.info, nil
}

// freshStat asks the kernel again, for a file that may have changed
// since it was opened.
func (f *rawFile) freshStat() (fs.FileInfo, error) {
	if f.fd < 0 {
		return nil, f.closedError("stat")
	}
	info := &rawInfo{name: f.info.name}
	if err := f.fstat(info); err != nil {
		return nil, err
	}
	return info, nil
}

func (f *rawFile) Read(p []byte) (int, error) {
	if f.fd < 0 {
		return 0, f.closedError("read")
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := unix.Read(f.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN && !f.blocking:
			// Local file systems ignore O_NONBLOCK for regular files;
			// one that does not gets a blocking descriptor.
			if err := f.setBlocking(); err != nil {
				return 0, err
			}
			continue
		case err != nil:
			return 0, &fs.PathError{Op: "read", Path: f.info.name, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// ReadAt reads len(p) bytes from off, or fewer with an error (io.EOF at
// the end of the file), without moving the file offset.
func (f *rawFile) ReadAt(p []byte, off int64) (int, error) {
	if f.fd < 0 {
		return 0, f.closedError("read")
	}
	if off < 0 {
		return 0, &fs.PathError{Op: "readat", Path: f.info.name, Err: errors.New("negative offset")}
	}
	done := 0
	for done < len(p) {
		n, err := unix.Pread(f.fd, p[done:], off+int64(done))
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN && !f.blocking:
			if err := f.setBlocking(); err != nil {
				return done, err
			}
			continue
		case err != nil:
			return done, &fs.PathError{Op: "read", Path: f.info.name, Err: err}
		case n == 0:
			return done, io.EOF
		}
		done += n
	}
	return done, nil
}

func (f *rawFile) setBlocking() error {
	f.blocking = true
	if err := unix.SetNonblock(f.fd, false); err != nil {
		return &fs.PathError{Op: "fcntl", Path: f.info.name, Err: err}
	}
	return nil
}

func (f *rawFile) Seek(offset int64, whence int) (int64, error) {
	if f.fd < 0 {
		return 0, f.closedError("seek")
	}
	n, err := unix.Seek(f.fd, offset, whence)
	if err != nil {
		return 0, &fs.PathError{Op: "seek", Path: f.info.name, Err: err}
	}
	return n, nil
}

func (f *rawFile) Close() error {
	if f.fd < 0 {
		return f.closedError("close")
	}
	err := unix.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &fs.PathError{Op: "close", Path: f.info.name, Err: err}
	}
	return nil
}

func (f *rawFile) closedError(op string) error {
	return &fs.PathError{Op: op, Path: f.info.name, Err: fs.ErrClosed}
}

// SyscallConn gives the descriptor to sendfile: the server's ReadFrom,
// like net.TCPConn's, takes a file source by this interface.
func (f *rawFile) SyscallConn() (syscall.RawConn, error) {
	if f.fd < 0 {
		return nil, f.closedError("syscallconn")
	}
	return rawFileConn{f}, nil
}

// rawFileConn is a rawFile's syscall.RawConn. A regular file is always
// ready, so Read calls its function once; nothing writes to the file.
type rawFileConn struct{ f *rawFile }

func (c rawFileConn) Control(fn func(fd uintptr)) error {
	fn(uintptr(c.f.fd))
	return nil
}

func (c rawFileConn) Read(fn func(fd uintptr) bool) error {
	if !fn(uintptr(c.f.fd)) {
		return &fs.PathError{Op: "read", Path: c.f.info.name, Err: syscall.EAGAIN}
	}
	return nil
}

func (c rawFileConn) Write(func(fd uintptr) bool) error {
	return &fs.PathError{Op: "write", Path: c.f.info.name, Err: syscall.EBADF}
}

// rawInfo is a rawFile's fs.FileInfo.
type rawInfo struct {
	name  string // base name
	size  int64
	mode  fs.FileMode
	mtime int64 // Unix nanoseconds
	id    fileID
}

func (i *rawInfo) Name() string       { return i.name }
func (i *rawInfo) Size() int64        { return i.size }
func (i *rawInfo) Mode() fs.FileMode  { return i.mode }
func (i *rawInfo) ModTime() time.Time { return time.Unix(0, i.mtime) }
func (i *rawInfo) IsDir() bool        { return i.mode.IsDir() }
func (i *rawInfo) Sys() any           { return nil }
func (i *rawInfo) fileID() fileID     { return i.id }

// fileMode converts st_mode.
func fileMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & unix.S_IFMT {
	case unix.S_IFDIR:
		mode |= fs.ModeDir
	case unix.S_IFLNK:
		mode |= fs.ModeSymlink
	case unix.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case unix.S_IFSOCK:
		mode |= fs.ModeSocket
	case unix.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		mode |= fs.ModeDevice
	}
	if m&unix.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&unix.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&unix.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}

// sysFileID is the identity of a file os.Root opened (the fallback).
func sysFileID(st fs.FileInfo) fileID {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(s.Dev), ino: uint64(s.Ino), ctime: s.Ctim.Nano()}
	}
	return fileID{}
}
