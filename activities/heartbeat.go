package activities

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
)

// keepAlive heartbeats every third of the activity's heartbeat timeout
// until stop is called, so that a step which spends minutes in one call
// (reading NetBox, writing a bulk batch) is not taken for dead, while a
// worker that dies under it is noticed after the heartbeat timeout rather
// than the start-to-close timeout. Outside an activity, or without a
// heartbeat timeout, it does nothing.
func keepAlive(ctx context.Context) (stop func()) {
	if !activity.IsActivity(ctx) {
		return func() {}
	}
	every := activity.GetInfo(ctx).HeartbeatTimeout / 3
	if every <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx)
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}
