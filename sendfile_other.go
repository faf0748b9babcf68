//go:build !linux

package strand

import "net"

// sendMore writes p to tcp. Only Linux has MSG_MORE.
func sendMore(tcp *net.TCPConn, p []byte) error {
	_, err := tcp.Write(p)
	return err
}
