package strand

import "github.com/strandhttp/strand/internal/date"

// TimeFormat is the layout of HTTP dates, IMF-fixdate (RFC 9110 §5.6.7):
// format times in UTC with it.
const TimeFormat = date.Layout
