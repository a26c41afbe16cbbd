package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"
)

// clockTicks is USER_HZ, the unit of /proc/PID/stat CPU times (100 on
// every Linux architecture Go supports).
const clockTicks = 100

// procCPU returns the user+system CPU time pid has used.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it are
	// counted from the closing parenthesis.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// memory is a process's resident set, now and at its peak, in bytes.
type memory struct {
	RSS, HWM int64
}

// procMemory reads VmRSS and VmHWM from /proc/PID/status.
func procMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		var dst *int64
		switch k {
		case "VmRSS":
			dst = &m.RSS
		case "VmHWM":
			dst = &m.HWM
		default:
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			return memory{}, fmt.Errorf("/proc/%d/status %s: %w", pid, k, err)
		}
		*dst = kb * 1024
	}
	return m, nil
}

// selfCPU is the CPU time of this process: the load generator and the
// in-process fake provider.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU is the CPU time the Redis server has used (all its threads).
func redisCPU(ctx context.Context, rdb *redis.Client) (time.Duration, error) {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, fmt.Errorf("redis INFO cpu: %w", err)
	}
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok || (k != "used_cpu_sys" && k != "used_cpu_user") {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("redis INFO cpu %s: %w", k, err)
		}
		total += f
	}
	return time.Duration(total * float64(time.Second)), nil
}

// machineCPU is the busy CPU time of the whole machine (every process).
func machineCPU() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0
	}
	var busy int64
	for i, v := range f[1:] {
		n, _ := strconv.ParseInt(v, 10, 64)
		// idle (4th) and iowait (5th) are not busy; steal (8th) is time
		// the hypervisor gave elsewhere; guest time is already in user.
		if i == 3 || i == 4 || i >= 7 {
			continue
		}
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTicks
}

// cpuUse is the CPU each party spent during a measured cell.
type cpuUse struct {
	Service, Redis, Loadgen time.Duration
	Machine                 time.Duration // every process on the machine
	Elapsed                 time.Duration
}

// PerRequest divides each party's CPU by n requests.
func (u cpuUse) PerRequest(n int) (svc, rds, gen time.Duration) {
	if n <= 0 {
		return 0, 0, 0
	}
	d := time.Duration(n)
	return u.Service / d, u.Redis / d, u.Loadgen / d
}

// Busy is the share of the machine's cores the three parties used.
func (u cpuUse) Busy() float64 {
	return u.share(u.Service + u.Redis + u.Loadgen)
}

// Others is the share of the machine's cores that processes outside the
// measurement used (builds, other tests): noise in the numbers.
func (u cpuUse) Others() float64 {
	return max(u.share(u.Machine-u.Service-u.Redis-u.Loadgen), 0)
}

func (u cpuUse) share(d time.Duration) float64 {
	if u.Elapsed <= 0 {
		return 0
	}
	return float64(d) / float64(u.Elapsed) / float64(runtime.NumCPU())
}

// cpuMeter snapshots the CPU time of the service processes, Redis and
// this process.
type cpuMeter struct {
	rdb  *redis.Client
	pids []int
}

type cpuSnap struct {
	svc, rds, gen, all time.Duration
	at                 time.Time
}

func (m cpuMeter) snap(ctx context.Context) cpuSnap {
	s := cpuSnap{gen: selfCPU(), all: machineCPU(), at: time.Now()}
	for _, pid := range m.pids {
		if d, err := procCPU(pid); err == nil {
			s.svc += d
		}
	}
	if d, err := redisCPU(ctx, m.rdb); err == nil {
		s.rds = d
	}
	return s
}

func (a cpuSnap) to(b cpuSnap) cpuUse {
	return cpuUse{Service: b.svc - a.svc, Redis: b.rds - a.rds, Loadgen: b.gen - a.gen, Machine: b.all - a.all, Elapsed: b.at.Sub(a.at)}
}
