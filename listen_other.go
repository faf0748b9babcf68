//go:build !unix || solaris

package strand

import (
	"errors"
	"syscall"
)

func reusePort(network, address string, rc syscall.RawConn) error {
	return errors.New("strand: Server.ReusePort: SO_REUSEPORT is not available on this system")
}
