package main

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Indexes into the fields of /proc/<pid>/stat after the command name:
// field 4 (ppid) is 1, fields 14 to 17 (utime, stime, cutime, cstime) are
// 11 to 14.
const (
	statPpid   = 1
	statUtime  = 11
	statStime  = 12
	statCstime = 14
)

// statFields reads /proc/<pid>/stat and returns its fields after the
// command name, which may hold spaces; the fields after it may not.
func statFields(pid int) ([]string, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil, fmt.Errorf("read process stat: %w", err)
	}
	s := string(stat)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) <= statCstime {
		return nil, fmt.Errorf("short /proc/%d/stat", pid)
	}
	return fields, nil
}

func sumTicks(fields []string) (int64, error) {
	var ticks int64
	for _, f := range fields {
		t, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("parse cpu ticks %q: %w", f, err)
		}
		ticks += t
	}
	return ticks, nil
}

// procTree is a snapshot of the machine's processes: each one's parent
// and the CPU ticks it and the children it reaped have used.
type procTree struct {
	children map[int][]int
	ticks    map[int]int64
}

// readProcTree reads every process's stat. Processes that end while it
// reads are skipped.
func readProcTree() (procTree, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return procTree{}, fmt.Errorf("list processes: %w", err)
	}
	t := procTree{children: map[int][]int{}, ticks: map[int]int64{}}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		fields, err := statFields(pid)
		if err != nil {
			continue // gone since the listing
		}
		ppid, err := strconv.Atoi(fields[statPpid])
		if err != nil {
			return t, fmt.Errorf("parse ppid of %d: %w", pid, err)
		}
		// A child's time moves to its parent's cutime and cstime when the
		// parent reaps it, so counting both keeps the sum of a tree whole
		// while its processes come and go.
		ticks, err := sumTicks(fields[statUtime : statCstime+1])
		if err != nil {
			return t, err
		}
		t.children[ppid] = append(t.children[ppid], pid)
		t.ticks[pid] = ticks
	}
	return t, nil
}

// members returns root and its descendants; none when root is not running.
func (t procTree) members(root int) []int {
	if _, ok := t.ticks[root]; !ok {
		return nil
	}
	out := []int{root}
	for i := 0; i < len(out); i++ {
		out = append(out, t.children[out[i]]...)
	}
	return out
}

// cpu is the CPU time of root and its descendants.
func (t procTree) cpu(root int) time.Duration {
	var ticks int64
	for _, pid := range t.members(root) {
		ticks += t.ticks[pid]
	}
	return time.Duration(ticks) * time.Second / clockTick
}

// readPidFile reads a PID file.
func readPidFile(path string) (int, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 0, fmt.Errorf("pid file %s: %w", path, err)
	}
	return pid, nil
}

// flagValue finds the value of a command-line flag ("--workers 4" or
// "--workers=4") among the command lines of the processes given.
func flagValue(pids []int, flag string) string {
	for _, pid := range pids {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil {
			continue
		}
		args := strings.Split(string(bytes.TrimRight(data, "\x00")), "\x00")
		for i, a := range args {
			if v, ok := strings.CutPrefix(a, flag+"="); ok {
				return v
			}
			if a == flag && i+1 < len(args) {
				return args[i+1]
			}
		}
	}
	return ""
}

// machineCPU is the CPU time of the whole machine since boot, from the
// first line of /proc/stat: busy is what its processes used (user, nice,
// system, irq, softirq), stolen what the hypervisor gave the machine's
// processors to others while they had work (steal).
func machineCPU() (busy, stolen time.Duration, err error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, fmt.Errorf("read /proc/stat: %w", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, 0, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	// user nice system idle iowait irq softirq steal: idle and iowait
	// are not busy.
	busyTicks, err := sumTicks([]string{fields[1], fields[2], fields[3], fields[6], fields[7]})
	if err != nil {
		return 0, 0, err
	}
	stealTicks, err := sumTicks(fields[8:9])
	if err != nil {
		return 0, 0, err
	}
	return time.Duration(busyTicks) * time.Second / clockTick, time.Duration(stealTicks) * time.Second / clockTick, nil
}
