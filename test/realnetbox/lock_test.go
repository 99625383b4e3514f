package realnetbox

import (
	"context"
	"testing"
	"time"
)

func TestLockIsExclusive(t *testing.T) {
	target := &Target{URL: "http://127.0.0.1:1"}
	t.Setenv("TMPDIR", t.TempDir())
	unlock, err := target.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A second holder, even in this process (flock is per open file), waits.
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if _, err := target.Lock(ctx); err == nil {
		t.Fatal("the lock was taken twice")
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	unlock, err = target.Lock(context.Background())
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
}
