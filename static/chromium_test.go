package static

import (
	"bytes"
	"context"
	"html"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromiumPath is where Debian's chromium package installs the browser
// (make test installs it when running as root).
const chromiumPath = "/usr/bin/chromium"

// TestListingInChromium renders the listing page in headless Chromium at
// a phone's width: a screenshot is saved under the test's temp dir, and
// the page's DOM (--dump-dom) must hold every file name.
func TestListingInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("%s not installed (Debian package chromium): %v", chromiumPath, err)
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	addr, _ := startServer(t, mustDir(t, newListingTree(t), &Options{Listing: true}))
	url := "http://" + addr + "/l/"
	out := t.TempDir()
	shot := filepath.Join(out, "listing.png")

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	chromium := func(profile string, args ...string) []byte {
		t.Helper()
		base := []string{
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
			"--no-first-run", "--disable-background-networking",
			"--disable-component-update", "--disable-sync",
			"--user-data-dir=" + filepath.Join(out, profile),
		}
		cmd := exec.CommandContext(ctx, chromiumPath, append(base, args...)...)
		cmd.WaitDelay = 5 * time.Second
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %q: %v\nstderr:\n%s", args, err, stderr.String())
		}
		return stdout.Bytes()
	}

	chromium("profile-shot", "--screenshot="+shot, "--window-size=412,900", url)
	st, err := os.Stat(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	// Non-trivial: the requested size, and more than one colour.
	if b.Dx() != 412 || b.Dy() != 900 || st.Size() < 2000 || !manyColours(img) {
		t.Errorf("screenshot %s: %dx%d, %d bytes; want 412x900 with content", shot, b.Dx(), b.Dy(), st.Size())
	}
	t.Logf("screenshot: %s (%d bytes)", shot, st.Size())

	dom := html.UnescapeString(string(chromium("profile-dom", "--dump-dom", url)))
	for _, lf := range listingFiles {
		if strings.HasPrefix(lf.name, ".") {
			if strings.Contains(dom, lf.name) {
				t.Errorf("the DOM lists hidden %q", lf.name)
			}
			continue
		}
		if !strings.Contains(dom, ">"+lf.name+"<") {
			t.Errorf("the DOM lacks %q", lf.name)
		}
	}
	if !strings.Contains(dom, "Index of /l/") {
		t.Errorf("the DOM lacks the title")
	}
}

// manyColours reports whether img has at least a few different pixels:
// text on a background, not a blank page.
func manyColours(img image.Image) bool {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}] = true
			if len(seen) >= 8 {
				return true
			}
		}
	}
	return false
}
