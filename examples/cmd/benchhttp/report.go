package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// host describes the machine a table was measured on.
type host struct {
	cpu, memory, postgres, redis, goVersion string
	cpus                                    int
	loadBefore, loadAfter                   string
	when                                    time.Time
}

func machine(ctx context.Context, admin *pgx.Conn, redisVersion string) host {
	h := host{cpus: runtime.NumCPU(), goVersion: runtime.Version(), redis: redisVersion,
		loadBefore: loadAverage(), when: time.Now().UTC()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		h.cpu = infoField(string(b), "model name")
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		h.memory = infoField(string(b), "MemTotal")
	}
	_ = admin.QueryRow(ctx, "SHOW server_version").Scan(&h.postgres)
	return h
}

// loadAverage is the 1-, 5- and 15-minute load of /proc/loadavg: on a
// shared machine it says how much else was running.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// infoField returns the value of "key: value" (or "key:value") in text such
// as /proc/cpuinfo or Redis INFO.
func infoField(text, key string) string {
	for line := range strings.SplitSeq(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func printReport(w io.Writer, h host, rows []row) {
	fmt.Fprintf(w, "Machine: %d vCPUs (%s), %s RAM; PostgreSQL %s", h.cpus, h.cpu, h.memory, h.postgres)
	if h.redis != "" {
		fmt.Fprintf(w, ", Redis %s", h.redis)
	}
	fmt.Fprintf(w, "; %s; %s. Load average before %s, after %s.\n",
		h.goVersion, h.when.Format("2006-01-02 15:04 UTC"), h.loadBefore, h.loadAfter)
	fmt.Fprintln(w, "Server, load generator, PostgreSQL and Redis share the machine; all traffic is on loopback.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| store | workload | clients | requests | req/s | p50 | p99 | statements/req | commits/req | server CPU/req | peak RSS |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		commits := fmt.Sprintf("%.2f", r.commits)
		if r.rollbacks > 0 {
			commits += fmt.Sprintf(" (+%d rollbacks)", r.rollbacks)
		}
		fmt.Fprintf(w, "| %s | %s | %d | %d in %.1f s | %.0f | %s | %s | %.2f | %s | %s | %.0f MiB |\n",
			r.mode, r.workload, r.workers, r.timed.Requests, r.timed.Elapsed.Seconds(), r.timed.Rate(),
			millis(r.timed.Percentile(50)), millis(r.timed.Percentile(99)), r.statements, commits,
			millis(r.cpu), float64(r.peakRSS)/(1<<20))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Clients are closed-loop: each sends its next request when the previous one has answered.")
	fmt.Fprintln(w, "statements/req: simple Query and Execute messages (BEGIN and COMMIT included) counted on the wire,")
	fmt.Fprintln(w, "in a separate run of the same workload through a counting proxy (the hop would slow the timed run).")
	fmt.Fprintln(w, "commits/req: pg_stat_database.xact_commit over warm-up and timed requests, read once the server")
	fmt.Fprintln(w, "has stopped, less one per new connection. Every autocommit statement is a commit, reads included, and")
	fmt.Fprintln(w, "so is a transaction no request asked for, such as pgx's liveness ping of a pooled connection")
	fmt.Fprintln(w, "(examples/production pings one left unused for over a minute).")
	fmt.Fprintln(w, "server CPU/req: user + system time of the server process (/proc/<pid>/stat) over the timed requests.")
	fmt.Fprintln(w, "peak RSS: the server's VmHWM over its run (start, warm-up, timed requests).")
}

// millis prints a duration in milliseconds with two significant decimals
// below 10 ms.
func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}
