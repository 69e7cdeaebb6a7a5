package testenv

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// stopTimeout is how long Stop waits after SIGTERM before it kills: a server with an AOF
// flushes it first.
const stopTimeout = 30 * time.Second

// Process is a child process started by StartProcess. A goroutine of its own waits for
// the exit, so that the process is reaped however it ends; its owner ends it with Term or
// Kill. Pid and CPUSeconds also work on a nil Process, such as the Process of a broker
// running in this one.
type Process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
}

// StartProcess starts cmd; name stands for it in errors.
func StartProcess(name string, cmd *exec.Cmd) (*Process, error) {
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &Process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { // ends with the process
		defer close(p.done)
		_ = cmd.Wait()
	}()
	return p, nil
}

// Pid is the process id, 0 for a nil Process.
func (p *Process) Pid() int {
	if p == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Exited reports whether the process has exited.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL (kill -9) and waits until the process is reaped.
func (p *Process) Kill() {
	if p.Exited() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT) // a paused process dies only once resumed
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Term sends SIGTERM and waits up to timeout for the exit, then kills. It returns the exit
// error (nil for exit 0), or an error saying it had to kill.
func (p *Process) Term(timeout time.Duration) error {
	if p.Exited() {
		return p.exitErr()
	}
	_ = p.cmd.Process.Signal(syscall.SIGCONT)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-p.done:
		return p.exitErr()
	case <-t.C:
		p.Kill()
		return fmt.Errorf("%s did not exit within %s of SIGTERM: killed", p.name, timeout)
	}
}

func (p *Process) exitErr() error {
	if st := p.cmd.ProcessState; st != nil && !st.Success() {
		return fmt.Errorf("%s: %s", p.name, st)
	}
	return nil
}

// Pause stops the process (SIGSTOP): its sockets stay open but nothing answers.
func (p *Process) Pause() error { return p.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused process (SIGCONT).
func (p *Process) Resume() error { return p.cmd.Process.Signal(syscall.SIGCONT) }

// CPUSeconds is the user and system CPU time the process has used so far, read from
// /proc/<pid>/stat; 0 for a nil Process or when /proc is not readable.
func (p *Process) CPUSeconds() float64 {
	if p == nil {
		return 0
	}
	return CPUSecondsOf(p.Pid())
}

// CPUSecondsOf is the user and system CPU time process pid has used so far, read from
// /proc/<pid>/stat; 0 when /proc is not readable.
func CPUSecondsOf(pid int) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// FreePort returns a port of 127.0.0.1 nothing listens on right now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// PortFree reports whether nothing listens on port of 127.0.0.1 right now.
func PortFree(port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// addr is 127.0.0.1:port.
func addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
