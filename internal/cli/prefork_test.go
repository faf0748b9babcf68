package cli

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"flag"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mainEnv makes the test binary run the strand command, as main does: a
// prefork supervisor starts its workers as os.Executable(), which in a
// test is the test binary.
const mainEnv = "STRAND_CLI_TEST_MAIN"

func init() {
	if os.Getenv(mainEnv) == "" {
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// logLines returns the JSON log lines in out whose msg is msg ("" for
// all).
func logLines(out, msg string) []map[string]any {
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && (msg == "" || m["msg"] == msg) {
			lines = append(lines, m)
		}
	}
	return lines
}

// servingPIDs returns the process IDs of the workers that logged "strand
// serving", in order.
func servingPIDs(out string) []int {
	var pids []int
	for _, m := range logLines(out, "strand serving") {
		if pid, ok := m["pid"].(float64); ok {
			pids = append(pids, int(pid))
		}
	}
	return pids
}

// loggingPIDs returns the process IDs in the log lines of out other than
// "strand serving": the workers that have answered a request.
func loggingPIDs(out string) map[int]bool {
	pids := map[int]bool{}
	for _, m := range logLines(out, "") {
		if pid, ok := m["pid"].(float64); ok && m["msg"] != "strand serving" {
			pids[int(pid)] = true
		}
	}
	return pids
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPreforkWorkers runs `strand --workers 2`: two worker processes serve
// one port, both take connections, a worker that dies is replaced, and a
// stop signal to the supervisor stops them all gracefully.
func TestPreforkWorkers(t *testing.T) {
	requirePrefork(t)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() { code <- Run(ctx, []string{"--addr", addr, "--workers", "2"}, stdout, stderr) }()
	eventually(t, "two workers serving", func() bool { return len(servingPIDs(stdout.String())) == 2 })
	started := time.Now()
	pids := servingPIDs(stdout.String())

	// New connections until both workers have answered: each request's
	// log line carries the process ID of the worker.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	eventually(t, "requests answered by both workers", func() bool {
		resp, err := client.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		answered := loggingPIDs(stdout.String())
		return answered[pids[0]] && answered[pids[1]]
	})

	// A worker that dies after it has started is replaced.
	time.Sleep(time.Until(started.Add(minWorkerUptime + 200*time.Millisecond)))
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a new worker serving", func() bool { return len(servingPIDs(stdout.String())) == 3 })
	replacement := servingPIDs(stdout.String())[2]
	resp, err := client.Get("http://" + addr + "/health")
	if err != nil {
		t.Fatalf("request after a worker was replaced: %v", err)
	}
	resp.Body.Close()

	// The stop signal reaches every worker, which shuts down gracefully.
	cancel()
	waitStopped(t, code, stderr)
	checkWorkersStopped(t, stdout.String(), pids[1], replacement)
}

// TestPreforkWorkerFailsAtStart checks that the supervisor gives up, with
// exit code 1, when its workers cannot listen: a listener without
// SO_REUSEPORT holds the port.
func TestPreforkWorkerFailsAtStart(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SO_REUSEPORT is tested on Linux")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Setenv(mainEnv, "1")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- Run(context.Background(), []string{"--addr", ln.Addr().String(), "--workers", "2"}, stdout, stderr)
	}()
	select {
	case c := <-code:
		if c != 1 || !strings.Contains(stderr.String(), "failed as it started") {
			t.Fatalf("Run on a taken port = %d, stderr %q; want 1 and the worker's failure", c, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the supervisor did not give up")
	}
}

// TestWorkersUsage checks the --workers values refused, by both commands.
func TestWorkersUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--workers", "-1"},
		{"serve", "--workers", "-1", t.TempDir()},
	} {
		var stderr syncBuffer
		if c := Run(context.Background(), args, &syncBuffer{}, &stderr); c != 2 {
			t.Errorf("Run(%q): exit %d; want 2", args, c)
		}
		if !strings.Contains(stderr.String(), "--workers -1: want 0 (one per CPU) or more") {
			t.Errorf("Run(%q): stderr %q; want the value named", args, stderr.String())
		}
	}
}

// TestPreforkServe runs `strand serve DIR --workers 2` as a process of its
// own, as a person would: two workers serve DIR's files on one port, a
// killed worker is replaced, and SIGTERM to the supervisor stops them all.
func TestPreforkServe(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("SO_REUSEPORT spreads connections over processes on Linux")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := serveTree(t)
	addr := freeAddr(t)
	sup, stdout, stderr := startSupervisor(t, "serve", "--addr", addr, "--workers", "2", "--listing=false", dir)
	eventually(t, "two workers serving", func() bool { return len(servingPIDs(stdout.String())) == 2 })
	started := time.Now()
	pids := servingPIDs(stdout.String())
	if pids[0] == pids[1] || pids[0] == sup.pid || pids[1] == sup.pid {
		t.Fatalf("serving PIDs %v, supervisor %d; want two workers of their own", pids, sup.pid)
	}
	for _, m := range logLines(stdout.String(), "strand serving") {
		if m["addr"] != "http://"+addr || m["dir"] != dir || m["listing"] != false {
			t.Errorf("worker start line %v; want addr http://%s, dir %s and the serve flags (listing false)", m, addr, dir)
		}
	}

	// New connections until both workers have served the file: the
	// X-Request-Id of each response leads to its log line, which carries
	// the process ID of the worker that answered.
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	answered := map[int]bool{}
	eventually(t, "the file served by both workers", func() bool {
		answered[getFileFrom(t, client, addr, stdout)] = true
		return answered[pids[0]] && answered[pids[1]]
	})
	// The flags given to the supervisor reach the workers.
	resp, err := client.Get("http://" + addr + "/sub/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /sub/ with --listing=false = %d; want 404", resp.StatusCode)
	}

	// A worker that dies after it has started is replaced, and the
	// replacement serves the files.
	time.Sleep(time.Until(started.Add(minWorkerUptime + 200*time.Millisecond)))
	if err := syscall.Kill(pids[0], syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a new worker serving", func() bool { return len(servingPIDs(stdout.String())) == 3 })
	replacement := servingPIDs(stdout.String())[2]
	eventually(t, "the file served by the new worker", func() bool {
		return getFileFrom(t, client, addr, stdout) == replacement
	})

	// SIGTERM to the supervisor reaches every worker, which shuts down
	// gracefully; the supervisor exits 0 once they have.
	if err := syscall.Kill(sup.pid, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-sup.exit:
		if err != nil {
			t.Fatalf("supervisor after SIGTERM: %v; want exit 0\nstderr: %s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the supervisor did not exit after SIGTERM")
	}
	checkWorkersStopped(t, stdout.String(), pids[1], replacement)
	if n := len(logLines(stdout.String(), "strand shutting down")); n != 2 {
		t.Errorf("%d \"strand shutting down\" lines; want one per worker", n)
	}
}

// TestPreforkServeHTTPS checks that the workers of `strand serve
// --workers 2 --tls-cert --tls-key` serve HTTPS.
func TestPreforkServeHTTPS(t *testing.T) {
	requirePrefork(t)
	dir := serveTree(t)
	certFile, keyFile := writeCert(t, t.TempDir(), 1)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- Run(ctx, []string{"serve", "--addr", addr, "--workers", "2", "--tls-cert", certFile, "--tls-key", keyFile, dir}, stdout, stderr)
	}()
	eventually(t, "two workers serving", func() bool { return len(servingPIDs(stdout.String())) == 2 })
	for _, m := range logLines(stdout.String(), "strand serving") {
		if m["addr"] != "https://"+addr {
			t.Errorf("worker start line %v; want addr https://%s", m, addr)
		}
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: certPool(t, certFile)}, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	for range 4 {
		resp, body := getWith(t, client, "https://"+addr+"/a.txt")
		if resp.StatusCode != 200 || body != "file a\n" {
			t.Errorf("HTTPS GET /a.txt = %d %q; want 200 \"file a\\n\"", resp.StatusCode, body)
		}
	}
	cancel()
	waitStopped(t, code, stderr)
}

// A supervisor is a `strand` process started by a test.
type supervisor struct {
	pid  int
	exit <-chan error // its exit status, once
}

// startSupervisor starts the strand command with args as a process of its
// own (the test binary, with mainEnv set). Cleanup kills it if it is still
// running; its workers then stop by themselves (watchParent).
func startSupervisor(t *testing.T, args ...string) (sup supervisor, stdout, stderr *syncBuffer) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// The workers write to the same pipes: if one outlived the
	// supervisor, Wait would wait for it.
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exit := make(chan error, 1)
	exited := make(chan struct{})
	go func() { exit <- cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		select {
		case <-exited:
		default:
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	return supervisor{pid: cmd.Process.Pid, exit: exit}, stdout, stderr
}

// getFileFrom gets /a.txt of serveTree's directory on a new connection
// and returns the process ID of the worker that answered, from the log
// line of the response's request ID; 0 if it could not tell.
func getFileFrom(t *testing.T, client *http.Client, addr string, stdout *syncBuffer) int {
	t.Helper()
	resp, err := client.Get("http://" + addr + "/a.txt")
	if err != nil {
		return 0 // a worker being replaced
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || string(body) != "file a\n" {
		t.Fatalf("GET /a.txt = %d %q, %v; want 200 \"file a\\n\"", resp.StatusCode, body, err)
	}
	id := resp.Header.Get("X-Request-Id")
	for range 100 { // the worker logs the request after it has answered
		for _, m := range logLines(stdout.String(), "request") {
			if pid, ok := m["pid"].(float64); ok && m["request_id"] == id {
				return int(pid)
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line for request %s", id)
	return 0
}

// TestPreforkServeChecksFirst checks that `strand serve --workers 2` with
// a missing directory says so once and exits 1, without starting a
// worker.
func TestPreforkServeChecksFirst(t *testing.T) {
	t.Setenv(mainEnv, "1") // were workers started, they would run the command, not the tests
	missing := filepath.Join(t.TempDir(), "no-such-dir")
	var stdout, stderr syncBuffer
	code := Run(context.Background(), []string{"serve", "--addr", freeAddr(t), "--workers", "2", missing}, &stdout, &stderr)
	if code != 1 {
		t.Errorf("exit code = %d; want 1 (stderr %q)", code, stderr.String())
	}
	checkOneLine(t, stderr.String(), `^strand serve: cannot serve .*no-such-dir: no such directory$`)
	if out := stdout.String(); strings.Contains(out, "worker") {
		t.Errorf("stdout %q; want no worker started", out)
	}
}

// TestWorkerArgs checks the arguments a worker is started with: the
// flags given, but --workers, in a form that keeps booleans, a repeatable
// flag once per value, then the operands.
func TestWorkerArgs(t *testing.T) {
	for _, tc := range []struct {
		sub  []string
		args []string
		want []string
	}{
		{nil, []string{"--workers", "2"}, []string{}},
		{nil, []string{"--addr", "127.0.0.1:9", "--workers", "0", "--drain-delay", "1s"},
			[]string{"--addr=127.0.0.1:9", "--drain-delay=1s"}},
		{[]string{"serve"}, []string{"--listing=false", "--workers=3", "-hidden", "--spa", "/i.html", "DIR"},
			[]string{"serve", "--hidden=true", "--listing=false", "--spa=/i.html", "DIR"}},
		{[]string{"serve"}, []string{"--cache-control", "*.css=public, max-age=1", "DIR", "--cache-control=/x/*=no-store"},
			[]string{"serve", "--cache-control=*.css=public, max-age=1", "--cache-control=/x/*=no-store", "DIR"}},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.String("addr", "127.0.0.1:8080", "")
		fs.Duration("drain-delay", 0, "")
		fs.Bool("listing", true, "")
		fs.Bool("hidden", false, "")
		fs.String("spa", "", "")
		fs.Var(new(cacheRules), "cache-control", "")
		workersFlag(fs)
		operands, err := parseArgs(fs, tc.args)
		if err != nil {
			t.Fatal(err)
		}
		got := workerArgs(tc.sub, fs, operands...)
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("workerArgs(%q, %q) = %q; want %q", tc.sub, tc.args, got, tc.want)
		}
	}
}

// checkWorkersStopped checks, once the supervisor has returned, that the
// two worker processes are gone and that each, and the supervisor, logged
// its stop.
func checkWorkersStopped(t *testing.T, stdout string, pids ...int) {
	t.Helper()
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("worker %d still running after the supervisor returned (kill 0: %v)", pid, err)
		}
	}
	if n := len(logLines(stdout, "strand stopped")); n != 3 {
		t.Errorf("%d \"strand stopped\" lines; want one per worker and the supervisor's", n)
	}
}

// requirePrefork skips a test that starts worker processes where they
// cannot share a port (SO_REUSEPORT spreads connections over processes on
// Linux) or under -short, and makes the test binary act as strand in the
// processes it starts.
func requirePrefork(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("SO_REUSEPORT spreads connections over processes on Linux")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Setenv(mainEnv, "1")
}

// waitStopped waits for Run, stopped by its context, to return 0.
func waitStopped(t *testing.T, code <-chan int, stderr *syncBuffer) {
	t.Helper()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("Run = %d after the stop signal; want 0\nstderr: %s", c, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the supervisor did not return after the stop signal")
	}
}
