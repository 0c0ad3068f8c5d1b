package sigloop

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestSet(t *testing.T) {
	s := Set(unix.SIGUSR1, unix.SIGUSR2, unix.Signal(64))
	if got, want := s.Val[0], uint64(1<<9|1<<11|1<<63); got != want {
		t.Errorf("Set(USR1, USR2, 64).Val[0] = %#x, want %#x", got, want)
	}
	for i := 1; i < len(s.Val); i++ {
		if s.Val[i] != 0 {
			t.Errorf("Val[%d] = %#x, want 0", i, s.Val[i])
		}
	}
}

// TestEventfdInEpoll: a poked eventfd is reported by the epoll set, and drained it is not.
func TestEventfdInEpoll(t *testing.T) {
	efd, err := Eventfd()
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(efd)
	ep, err := NewEpoll()
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	if err := ep.Add(efd); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := Poke(efd); err != nil {
			t.Fatal(err)
		}
	}
	fds, err := ep.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(fds) != 1 || int(fds[0]) != efd {
		t.Fatalf("Wait() = %v, want [%d]", fds, efd)
	}
	if err := Drain(efd); err != nil {
		t.Fatal(err)
	}
	events := make([]unix.EpollEvent, 1)
	if n, err := unix.EpollWait(ep.Fd(), events, 0); err != nil || n != 0 {
		t.Errorf("after Drain: EpollWait = %d, %v; want 0 ready", n, err)
	}
	if err := Drain(efd); err != nil {
		t.Errorf("Drain of an empty eventfd: %v, want nil (EAGAIN is not an error)", err)
	}
	if err := ep.Del(efd); err != nil {
		t.Errorf("Del: %v", err)
	}
	if err := ep.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := ep.Close(); err != nil {
		t.Errorf("second Close: %v, want nil", err)
	}
}
