//go:build !linux

package engine

// EpollSupported reports whether Epoll can serve on this system.
const EpollSupported = false
