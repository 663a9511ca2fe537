package porttest

import "sync"

// Together calls f(0), f(1), …, f(n-1) on n goroutines that all wait for one
// signal before they start, and returns when every call has returned. Calls
// released at one moment are what make a lost update or a double use likely,
// so the suites check each atomic rule this way; an adapter's or an app's
// own concurrency tests can do the same:
//
//	var wins atomic.Int32
//	porttest.Together(20, func(int) {
//		if _, err := auth.Refresh(ctx, in); err == nil {
//			wins.Add(1)
//		}
//	})
//	// exactly one refresh with one token wins
//
// f must be safe to call concurrently; Together adds no synchronisation
// between the calls beyond the common start.
func Together(n int, f func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			f(i)
		})
	}
	close(start)
	wg.Wait()
}
