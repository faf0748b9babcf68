//go:build !unix

package strand

// initRaw leaves raw reads off: readIdle reads one byte instead.
func (c *conn) initRaw() {}
