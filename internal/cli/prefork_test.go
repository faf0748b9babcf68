package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
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
	if runtime.GOOS != "linux" {
		t.Skip("SO_REUSEPORT spreads connections over processes on Linux")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Setenv(mainEnv, "1")
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
	answered := map[int]bool{}
	eventually(t, "requests answered by both workers", func() bool {
		resp, err := client.Get("http://" + addr + "/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		clear(answered)
		for _, m := range logLines(stdout.String(), "") {
			if pid, ok := m["pid"].(float64); ok && m["msg"] != "strand serving" {
				answered[int(pid)] = true
			}
		}
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
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("Run = %d after the stop signal; want 0\nstderr: %s", c, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the supervisor did not return after the stop signal")
	}
	for _, pid := range []int{pids[1], replacement} {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("worker %d still running after the supervisor returned (kill 0: %v)", pid, err)
		}
	}
	if n := len(logLines(stdout.String(), "strand stopped")); n != 3 {
		t.Errorf("%d \"strand stopped\" lines; want one per worker and the supervisor's", n)
	}
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

// TestWorkersUsage checks the --workers values refused.
func TestWorkersUsage(t *testing.T) {
	var stderr syncBuffer
	if c := Run(context.Background(), []string{"--workers", "-1"}, &syncBuffer{}, &stderr); c != 2 {
		t.Fatalf("--workers -1: exit %d; want 2", c)
	}
	if !strings.Contains(stderr.String(), "--workers -1") {
		t.Errorf("--workers -1: stderr %q; want it named", stderr.String())
	}
}
