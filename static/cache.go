package static

// This file implements the small-file cache of a Dir handler.
//
// A regular file of at most maxCachedFile bytes is read whole when it is
// served (from its second request: see Admission), with everything its
// responses need worked out once: content type, entity tag, Last-Modified
// and Content-Length values, and, for a compressible type, which
// precompressed siblings exist (with their bytes, when small). Later
// requests for it are answered from memory: the head and the body reach
// the connection in one write, and the file system is not asked anything.
//
// Validity. An entry is trusted for cacheValidity (one second) after it was
// last checked. The first request after that checks it: it opens the file,
// and each sibling or its absence, the way a miss would, and compares what
// fstat says (size, modification time, mode and, on Linux, device, inode
// and change time) with what was loaded. Any difference drops the entry;
// that request is served from the file system, which loads the entry
// anew. A file changed on disk is thus served in its old version for at
// most about a second. While one request checks an entry, the others go on
// being served from it.
//
// Admission. A file is loaded on its second miss, not its first: a
// doorkeeper remembers (by a hash, in doorkeeperSlots slots that newer
// misses overwrite) the names missed once lately. A file requested once
// (a crawler's scan, a working set far larger than the cache) is served
// from the file system as without a cache, and does not push out the
// files that are asked for again.
//
// Memory. The entries' bytes (contents, plus entryOverhead per entry) stay
// under Options.CacheMaxBytes. When a new entry would go over, entries are
// evicted in CLOCK order: a hand sweeps the entries, clearing the
// "referenced" bit that a hit sets, and evicts the first entry whose bit was
// already clear. It approximates least-recently-used eviction, and a hit
// pays for it with one atomic bit, under the map's read lock only.
//
// Safety. Entries are loaded and checked only through the handler's opener
// (openat2 beneath the root, or os.Root), so the cache holds nothing the
// file system path would refuse; the dotfile rule is applied to every
// request before the cache is asked. A file that becomes unreachable
// (deleted, a directory on its path swapped for a link that leaves the
// root) stops being served within the validity period.

import (
	"hash/maphash"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strandhttp/strand"
)

const (
	maxCachedFile   = 64 << 10 // the largest file (or sibling) the cache holds
	defaultCacheMax = 32 << 20 // Options.CacheMaxBytes when zero
	cacheValidity   = time.Second
	entryOverhead   = 512  // bytes counted per entry beside the contents
	doorkeeperSlots = 4096 // names remembered as missed once
)

// fileID tells versions of a file apart beyond size and modification
// time; zero where the system does not say.
type fileID struct {
	dev, ino uint64
	ctime    int64 // change time, Unix nanoseconds
}

// identityInfo is a FileInfo that knows its fileID (rawInfo).
type identityInfo interface{ fileID() fileID }

// freshStatFile is a file whose Stat reports the time it was opened, with
// a way to ask the system again (rawFile).
type freshStatFile interface {
	freshStat() (fs.FileInfo, error)
}

// version is what a check compares: a file as it was when loaded.
type version struct {
	size  int64
	mtime int64
	mode  fs.FileMode
	id    fileID
}

func versionOf(st fs.FileInfo) version {
	v := version{size: st.Size(), mtime: st.ModTime().UnixNano(), mode: st.Mode()}
	if ii, ok := st.(identityInfo); ok {
		v.id = ii.fileID()
	} else {
		v.id = sysFileID(st)
	}
	return v
}

// freshStat stats f now, not when it was opened.
func freshStat(f fs.File) (fs.FileInfo, error) {
	if ff, ok := f.(freshStatFile); ok {
		return ff.freshStat()
	}
	return f.Stat() // *os.File: fstat on every call
}

// repState says what a cached entry knows of one representation.
type repState uint8

const (
	repAbsent   repState = iota // no such sibling (or not a regular file)
	repCached                   // in memory
	repUncached                 // a sibling too large to hold: requests that choose it go to the file system
)

// cachedRep is one representation of a cacheEntry.
type cachedRep struct {
	state repState
	name  string  // its name in the file system
	ver   version // when not absent
	rep   rep     // when cached: data set, f nil
}

// cacheEntry is a cached file with its precompressed siblings.
type cacheEntry struct {
	// Immutable once the entry is in the cache.
	key  string                            // the file's name in the file system
	reps [1 + len(precompressed)]cachedRep // the file, then precompressed[i] at 1+i
	vary bool                              // compressible: siblings considered, Vary sent
	cost int64                             // bytes counted against the bound

	checked atomic.Int64 // Unix nanoseconds (Handler.now) of the last check
	ref     atomic.Bool  // a hit since the CLOCK hand last passed
	idx     int          // place in fileCache.ring, -1 when out; fileCache.mu guards
}

// choose returns the representation to send to r, or false when the one
// it should get is a sibling too large for the cache.
func (e *cacheEntry) choose(r *strand.Request) (*rep, bool) {
	if !e.vary {
		return &e.reps[0].rep, true
	}
	order, n := codingOrder(r)
	for _, i := range order[:n] {
		switch cr := &e.reps[1+i]; cr.state {
		case repCached:
			return &cr.rep, true
		case repUncached:
			return nil, false
		}
	}
	return &e.reps[0].rep, true
}

// fileCache holds cacheEntries by name, bounded in bytes.
type fileCache struct {
	max int64 // immutable

	mu    sync.RWMutex
	m     map[string]*cacheEntry // mu guards
	ring  []*cacheEntry          // CLOCK order; mu guards
	hand  int                    // mu guards
	bytes int64                  // sum of the entries' costs; mu guards

	seed maphash.Seed // immutable
	// door holds hashes of names missed once (0: none). Lock-free: a
	// racing store loses a name, which then waits for one more miss.
	door [doorkeeperSlots]atomic.Uint64
}

func newFileCache(max int64) *fileCache {
	return &fileCache{max: max, m: make(map[string]*cacheEntry), seed: maphash.MakeSeed()}
}

// admit reports whether name, just missed, should be loaded: whether it
// was missed once lately already. Otherwise it remembers the miss.
func (c *fileCache) admit(name string) bool {
	h := maphash.String(c.seed, name) | 1 // never 0, the empty slot
	slot := &c.door[h%doorkeeperSlots]
	if slot.Load() == h {
		slot.Store(0)
		return true
	}
	slot.Store(h)
	return false
}

// get returns the entry for name, or nil.
func (c *fileCache) get(name string) *cacheEntry {
	c.mu.RLock()
	e := c.m[name]
	c.mu.RUnlock()
	if e != nil && !e.ref.Load() {
		e.ref.Store(true)
	}
	return e
}

// getIndex returns the entry of the index file of the directory dir
// (fs.ValidPath form), without building the name on the heap.
func (c *fileCache) getIndex(dir, index string) *cacheEntry {
	var buf [128]byte
	b := buf[:0]
	if dir != "." {
		b = append(b, dir...)
		b = append(b, '/')
	}
	b = append(b, index...)
	c.mu.RLock()
	e := c.m[string(b)] // no allocation: a map index by a converted slice
	c.mu.RUnlock()
	if e != nil && !e.ref.Load() {
		e.ref.Store(true)
	}
	return e
}

// put adds e, replacing an entry of the same name, and evicts what it
// must to stay under the bound. An entry larger than the bound is not
// kept.
func (c *fileCache) put(e *cacheEntry) {
	if e.cost > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[e.key]; old != nil {
		c.removeLocked(old)
	}
	for c.bytes+e.cost > c.max && len(c.ring) > 0 {
		c.evictLocked()
	}
	e.idx = len(c.ring)
	c.ring = append(c.ring, e)
	c.m[e.key] = e
	c.bytes += e.cost
}

// remove drops e if it is still the entry of its name.
func (c *fileCache) remove(e *cacheEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[e.key] == e {
		c.removeLocked(e)
	}
}

// evictLocked moves the hand to the first entry not referenced since it
// last passed, clearing the bits it passes, and removes that entry. It
// ends within two sweeps: the first clears every bit.
func (c *fileCache) evictLocked() {
	for {
		if c.hand >= len(c.ring) {
			c.hand = 0
		}
		e := c.ring[c.hand]
		if e.ref.Swap(false) {
			c.hand++
			continue
		}
		c.removeLocked(e) // the last entry moves in under the hand
		return
	}
}

func (c *fileCache) removeLocked(e *cacheEntry) {
	delete(c.m, e.key)
	last := len(c.ring) - 1
	c.ring[e.idx] = c.ring[last]
	c.ring[e.idx].idx = e.idx
	c.ring[last] = nil
	c.ring = c.ring[:last]
	c.bytes -= e.cost
	e.idx = -1
}

// stats returns the number of entries and their cost, for tests.
func (c *fileCache) stats() (int, int64) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m), c.bytes
}

// serveCached answers r from the cache when it holds the file name (or,
// for a urlPath ending in '/', the index file of the directory name), and
// reports whether it did; when it did not, nothing was sent.
func (h *Handler) serveCached(w strand.ResponseWriter, r *strand.Request, name, urlPath string) bool {
	dir := strings.HasSuffix(urlPath, "/")
	var e *cacheEntry
	switch {
	case !dir:
		e = h.cache.get(name)
	case h.opt.IndexFile != "-":
		e = h.cache.getIndex(name, h.opt.IndexFile)
	}
	if e == nil {
		return false
	}
	now := h.now()
	if !h.fresh(e, now) {
		return false
	}
	rp, ok := e.choose(r)
	if !ok {
		return false
	}
	if dir && len(h.opt.CacheControl) > 0 {
		urlPath += h.opt.IndexFile // the rules see the index file's path, as when served from disk
	}
	h.respond(w, r, rp, urlPath, e.vary, now)
	return true
}

// fresh reports whether e may be served: checked within cacheValidity, or
// checked again now and found unchanged. A changed entry is dropped.
func (h *Handler) fresh(e *cacheEntry, now time.Time) bool {
	t := now.UnixNano()
	last := e.checked.Load()
	if t >= last && t-last < int64(cacheValidity) {
		return true
	}
	if !e.checked.CompareAndSwap(last, t) {
		return true // another request is checking it
	}
	if h.unchanged(e) {
		return true
	}
	h.cache.remove(e)
	return false
}

// unchanged opens e's files again and compares them with what was loaded.
func (h *Handler) unchanged(e *cacheEntry) bool {
	n := 1
	if e.vary {
		n = len(e.reps)
	}
	for i := range n {
		cr := &e.reps[i]
		f, err := h.open(cr.name)
		if err != nil {
			if cr.state != repAbsent {
				return false
			}
			continue
		}
		st, err := f.Stat()
		f.Close()
		present := err == nil && st.Mode().IsRegular()
		if cr.state == repAbsent {
			if present {
				return false
			}
			continue
		}
		if !present || versionOf(st) != cr.ver {
			return false
		}
	}
	return true
}

// load reads the regular file f (name, described by st) and its
// precompressed siblings into a new entry, or returns nil when they
// cannot be cached (too large, changed while being read, unreadable).
func (h *Handler) load(f fs.File, st fs.FileInfo, name string, now time.Time) *cacheEntry {
	name = strings.Clone(name) // it aliases the request, which the server reuses
	e := &cacheEntry{key: name, idx: -1}
	e.checked.Store(now.UnixNano())
	main := &e.reps[0]
	main.name = name
	if !loadRep(main, f, st, now) {
		return nil
	}
	ctype := typeByExtension(name)
	if ctype == "" {
		ctype = sniff(main.rep.data[:min(len(main.rep.data), sniffLen)])
	}
	main.rep.ctype = ctype
	e.cost = entryOverhead + int64(len(name)) + main.rep.size
	e.vary = !h.opt.NoPrecompressed && compressible(ctype)
	if !e.vary {
		return e
	}
	for i, p := range precompressed {
		cr := &e.reps[1+i]
		cr.name = name + p.ext
		sf, err := h.open(cr.name)
		if err != nil {
			continue // absent, as far as requests go
		}
		ok := true
		if sst, err := sf.Stat(); err == nil && sst.Mode().IsRegular() {
			if sst.Size() <= maxCachedFile {
				ok = loadRep(cr, sf, sst, now)
				e.cost += cr.rep.size
			} else {
				cr.state, cr.ver = repUncached, versionOf(sst)
			}
		}
		sf.Close()
		if !ok {
			return nil
		}
		cr.rep.ctype, cr.rep.coding = ctype, p.coding
	}
	return e
}

// loadRep reads f whole into cr. It fails if f changes while it reads.
func loadRep(cr *cachedRep, f fs.File, st fs.FileInfo, now time.Time) bool {
	ra, ok := f.(io.ReaderAt)
	if !ok || st.Size() > maxCachedFile {
		return false
	}
	data := make([]byte, st.Size())
	n, err := ra.ReadAt(data, 0)
	if n != len(data) || err != nil && err != io.EOF {
		return false
	}
	ver := versionOf(st)
	if after, err := freshStat(f); err != nil || versionOf(after) != ver {
		return false
	}
	v := newValidators(st)
	cr.state, cr.ver = repCached, ver
	cr.rep = rep{
		v:      v,
		size:   int64(n),
		length: strconv.Itoa(n),
		data:   data,
	}
	if v.etag != "" && !v.modTime.After(now) {
		cr.rep.lastMod = v.modTime.Format(strand.TimeFormat)
	}
	return true
}
