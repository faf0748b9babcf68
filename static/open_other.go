//go:build !linux

package static

import (
	"errors"
	"io/fs"
)

// dirRoot is the openat2 opener of Linux; elsewhere Dir opens files
// through os.Root, and newDirRoot never returns one.
type dirRoot struct{}

func newDirRoot(string, bool) *dirRoot { return nil }

func (*dirRoot) open(string) (fs.File, error) { return nil, errors.ErrUnsupported }

// sysFileID: on other systems a file is known by its size, modification
// time and mode alone.
func sysFileID(fs.FileInfo) fileID { return fileID{} }
