package static

import (
	"encoding/json"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/strandhttp/strand"
)

// maxListing bounds the entries of one listing: a directory with more is
// listed up to this many, with a note.
const maxListing = 10_000

// entry is one row of a directory listing.
type entry struct {
	Name     string    `json:"name"`
	Dir      bool      `json:"dir"`
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// listing is what the listing template and the JSON variant render.
type listing struct {
	Path      string  `json:"path"`
	Entries   []entry `json:"entries"`
	Truncated bool    `json:"truncated"`
	Sort      string  `json:"-"`
	Desc      bool    `json:"-"`
}

// serveListing lists dir: HTML by default, JSON when the client asks for
// application/json. Query "sort" (name, size, modified) and "order"
// (asc, desc) choose the order, so sorting works without scripts.
func (h *Handler) serveListing(w strand.ResponseWriter, r *strand.Request, dir fs.File, urlPath string) {
	rd, ok := dir.(fs.ReadDirFile)
	if !ok {
		strand.Error(w, "403 forbidden", strand.StatusForbidden)
		return
	}
	l, err := h.readListing(rd, urlPath)
	if err != nil {
		h.internalError(w, err)
		return
	}
	q := r.Query()
	if s := q.Get("sort"); s == "size" || s == "modified" {
		l.Sort = s
	}
	l.Desc = q.Get("order") == "desc"
	sortEntries(l.Entries, l.Sort, l.Desc)
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-cache")
	hdr.Add("Vary", "Accept")
	if wantsJSON(r) {
		hdr.Set("Content-Type", "application/json")
		b, err := json.Marshal(l)
		if err != nil {
			h.internalError(w, err)
			return
		}
		hdr.Set("Content-Length", strconv.Itoa(len(b)))
		if r.Method != "HEAD" {
			_, _ = w.Write(b)
		}
		return
	}
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	if r.Method == "HEAD" {
		w.WriteHeader(strand.StatusOK)
		return
	}
	if err := listingTemplate.Execute(w, l); err != nil {
		h.opt.ErrorLog.Error("static: rendering listing", "err", err)
	}
}

// readListing reads up to maxListing entries of dir, dotfiles left out
// unless ShowHidden, in the order the file system gives.
func (h *Handler) readListing(dir fs.ReadDirFile, urlPath string) (listing, error) {
	l := listing{Path: urlPath, Sort: "name", Entries: []entry{}} // [] in JSON, not null
	des, err := dir.ReadDir(maxListing + 1)
	if err != nil && !errors.Is(err, io.EOF) && len(des) == 0 {
		return l, err
	}
	if len(des) > maxListing {
		des, l.Truncated = des[:maxListing], true
	}
	for _, de := range des {
		name := de.Name()
		if !h.opt.ShowHidden && strings.HasPrefix(name, ".") {
			continue
		}
		e := entry{Name: name, Dir: de.IsDir()}
		if info, err := de.Info(); err == nil {
			e.Modified = info.ModTime().UTC().Truncate(time.Second)
			if !e.Dir {
				e.Size = info.Size()
			}
		}
		l.Entries = append(l.Entries, e)
	}
	return l, nil
}

// sortEntries orders directories first, then by key.
func sortEntries(es []entry, key string, desc bool) {
	slices.SortStableFunc(es, func(a, b entry) int {
		if a.Dir != b.Dir {
			if a.Dir {
				return -1
			}
			return 1
		}
		c := 0
		switch key {
		case "size":
			c = cmpInt(a.Size, b.Size)
		case "modified":
			c = a.Modified.Compare(b.Modified)
		}
		if c == 0 {
			c = strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
		}
		if desc {
			c = -c
		}
		return c
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func wantsJSON(r *strand.Request) bool {
	a := r.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}

// humanSize renders a byte count for people: 1023 B, 1.5 KiB, 12 MiB.
func humanSize(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	v := float64(n) / float64(div)
	prec := 1
	if v >= 10 {
		prec = 0
	}
	return strconv.FormatFloat(v, 'f', prec, 64) + " " + string("KMGTPE"[exp]) + "iB"
}

// sortLink is the query that sorts by key, flipping the order when the
// listing is already sorted by it.
func sortLink(l listing, key string) string {
	order := "asc"
	if l.Sort == key && !l.Desc {
		order = "desc"
	}
	return "?sort=" + key + "&order=" + order
}

func sortMark(l listing, key string) string {
	if l.Sort != key {
		return ""
	}
	if l.Desc {
		return " ↓"
	}
	return " ↑"
}

var listingTemplate = template.Must(template.New("listing").Funcs(template.FuncMap{
	"size":     humanSize,
	"sortLink": sortLink,
	"sortMark": sortMark,
	"href": func(e entry) string {
		u := (&url.URL{Path: e.Name}).EscapedPath()
		if strings.Contains(e.Name, ":") && !strings.Contains(u, "/") {
			u = "./" + u // keep "a:b" from reading as a scheme
		}
		if e.Dir {
			u += "/"
		}
		return u
	},
	"when":   func(t time.Time) string { return t.Format("2006-01-02 15:04") },
	"parent": func(p string) bool { return p != "/" },
	"base":   path.Base,
}).Parse(listingHTML))

const listingHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Index of {{.Path}}</title>
<style>
:root { color-scheme: light dark; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; }
h1 { font-size: 1.25rem; word-break: break-all; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid rgba(127,127,127,.25); }
th a { color: inherit; text-decoration: none; }
td.n { word-break: break-all; }
td.s, th.s { text-align: right; white-space: nowrap; }
td.m { white-space: nowrap; color: #888; }
a { color: #2f6fde; }
@media (max-width: 36rem) { td.m, th.m { display: none; } body { padding: .5rem; } }
</style>
</head>
<body>
<h1>Index of {{.Path}}</h1>
<table>
<thead><tr>
<th><a href="{{sortLink . "name"}}">Name{{sortMark . "name"}}</a></th>
<th class="s"><a href="{{sortLink . "size"}}">Size{{sortMark . "size"}}</a></th>
<th class="m"><a href="{{sortLink . "modified"}}">Modified{{sortMark . "modified"}}</a></th>
</tr></thead>
<tbody>
{{if parent .Path}}<tr><td class="n"><a href="../">../</a></td><td class="s"></td><td class="m"></td></tr>
{{end}}{{range .Entries}}<tr><td class="n"><a href="{{href .}}">{{.Name}}{{if .Dir}}/{{end}}</a></td><td class="s">{{if not .Dir}}{{size .Size}}{{end}}</td><td class="m">{{when .Modified}}</td></tr>
{{end}}</tbody>
</table>
{{if .Truncated}}<p>Only the first 10,000 entries are listed.</p>{{end}}
</body>
</html>
`
