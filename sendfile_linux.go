package strand

import (
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// sendMore writes p to tcp with MSG_MORE: the kernel holds a partial
// segment back for the data of the next send (tcp(7)). It waits for the
// socket like tcp.Write, under the same write deadline.
func sendMore(tcp *net.TCPConn, p []byte) error {
	rc, err := tcp.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	err = rc.Write(func(fd uintptr) bool {
		for len(p) > 0 {
			n, err := unix.SendmsgN(int(fd), p, nil, nil, unix.MSG_MORE|unix.MSG_NOSIGNAL)
			switch err {
			case nil:
				p = p[n:]
			case unix.EINTR:
			case unix.EAGAIN:
				return false // wait until the socket is writable
			default:
				serr = os.NewSyscallError("sendmsg", err)
				return true
			}
		}
		return true
	})
	if err == nil {
		err = serr
	}
	if err != nil {
		return &net.OpError{Op: "write", Net: "tcp", Source: tcp.LocalAddr(), Addr: tcp.RemoteAddr(), Err: err}
	}
	return nil
}
