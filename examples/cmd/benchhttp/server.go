package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// serverProc is one run of the examples/production binary.
type serverProc struct {
	cmd    *exec.Cmd
	base   string // http://127.0.0.1:port/auth
	mail   *mailbox
	logs   *tail
	exited chan struct{}
	err    error // the process's exit error, set before exited closes
}

// startServer runs binary with env (only env: nothing of the benchmark's own
// environment leaks in) and returns once it serves, reading its address from
// its log line (it listens on port 0).
func startServer(ctx context.Context, binary string, env []string) (*serverProc, error) {
	s := &serverProc{cmd: exec.Command(binary), mail: newMailbox(), logs: &tail{max: 40}, exited: make(chan struct{})}
	s.cmd.Env = env
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	ready := make(chan string, 1)
	var readers sync.WaitGroup
	readers.Go(func() { s.mail.read(stdout) })
	readers.Go(func() { s.readLogs(stderr, ready) })
	go func() {
		readers.Wait() // Wait must not run before the pipes are drained
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case s.base = <-ready:
		return s, nil
	case <-s.exited:
		return nil, fmt.Errorf("server exited at start (%v):\n%s", s.err, s.logs)
	case <-timeout.C:
	case <-ctx.Done():
	}
	_ = s.stop()
	return nil, fmt.Errorf("server did not start:\n%s", s.logs)
}

// readLogs keeps the server's last log lines for error reports and sends
// the API's URL once the server logs that it serves.
func (s *serverProc) readLogs(r io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		s.logs.add(sc.Text())
		var entry struct {
			Msg string `json:"msg"`
			URL string `json:"url"`
		}
		if json.Unmarshal(sc.Bytes(), &entry) == nil && entry.Msg == "production: serving the BharatAuth API" {
			select {
			case ready <- entry.URL:
			default:
			}
		}
	}
}

// stop asks the server to shut down gracefully (SIGTERM: in-flight requests
// and emails finish, the pool closes) and waits for it.
func (s *serverProc) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(40 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("server did not stop on SIGTERM:\n%s", s.logs)
	}
	if s.err != nil {
		return fmt.Errorf("server: %w:\n%s", s.err, s.logs)
	}
	return nil
}

// withLogs adds the server's last log lines to a failure, which they
// usually explain (the server logs internal errors, never secrets).
func (s *serverProc) withLogs(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w\nserver log:\n%s", err, s.logs)
}

// userHz is the unit of utime and stime in /proc/<pid>/stat: USER_HZ, 100
// on every Linux architecture Go runs on.
const userHz = 100

// cpu is the CPU time the server has used so far, user and system, all
// threads.
func (s *serverProc) cpu() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(string(b))
}

// parseStatCPU reads utime and stime (fields 14 and 15) of a /proc/<pid>/stat
// line. The command name (field 2) is in parentheses and may hold spaces, so
// fields are counted from the last ')'.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(stat[i+1:]) // f[0] is field 3
	if len(f) < 13 {
		return 0, errors.New("/proc stat: too few fields")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("/proc stat: %w", err)
	}
	return time.Duration(utime+stime) * time.Second / userHz, nil
}

// peakRSS is the server's resident set high-water mark (VmHWM) in bytes.
func (s *serverProc) peakRSS() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	return parseHWM(string(b))
}

// parseHWM reads the VmHWM line ("VmHWM:	   12345 kB") of /proc/<pid>/status.
func parseHWM(status string) (int64, error) {
	for line := range strings.SplitSeq(status, "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc status: VmHWM: %w", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("/proc status: no VmHWM")
}

// tail keeps the last max lines written to it.
type tail struct {
	mu    sync.Mutex
	max   int
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.max {
		t.lines = t.lines[len(t.lines)-t.max:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}
