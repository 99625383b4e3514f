package realnetbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// LockPath is the lock file of the NetBox at t.URL: one per host and port, in the system's
// temporary directory, so that every test process on the machine finds the same one.
func (t *Target) LockPath() string {
	name := t.URL
	if u, err := url.Parse(t.URL); err == nil && u.Host != "" {
		name = u.Host
	}
	name = strings.NewReplacer(":", "-", "/", "-").Replace(name)
	return filepath.Join(os.TempDir(), "realnetbox-"+name+".lock")
}

// Lock takes the NetBox for the caller alone, waiting while another test process holds it,
// until ctx ends. A suite that resets NetBox or counts its objects holds it for as long as it
// runs, since one suite's reset or objects would break another's assertions. The lock is an
// flock on LockPath, so it goes with the process that held it, however that process ends.
// unlock releases it.
func (t *Target) Lock(ctx context.Context) (unlock func() error, err error) {
	path := t.LockPath()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("lock netbox: %w", err)
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errors.Join(fmt.Errorf("lock netbox: %s: %w", path, err), f.Close())
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(fmt.Errorf("lock netbox: %s is held by another test process: %w", path, ctx.Err()), f.Close())
		case <-tick.C:
		}
	}
	return func() error {
		return errors.Join(syscall.Flock(int(f.Fd()), syscall.LOCK_UN), f.Close())
	}, nil
}
