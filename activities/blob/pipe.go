package blob

import (
	"io"
	"sync"
)

// pipeChunk is how much text a pipe hands over at a time.
const pipeChunk = 128 << 10

// pipeDepth is how many chunks wait between the two sides of a pipe.
const pipeDepth = 2

// chunk is a piece of text handed over a pipe, with the error that ended
// the text after it, if any.
type chunk struct {
	b   []byte
	err error
}

// asyncWriter hands what is written to it to w on a goroutine of its own,
// so that a blob's compression runs beside the encoding of its JSON, on
// the other core, instead of after each piece of it. The order of the
// bytes is kept; the first error of w is returned by the writes after it
// and by Close.
type asyncWriter struct {
	w    io.Writer
	buf  []byte
	full chan []byte
	free chan []byte
	done chan struct{}
	mu   sync.Mutex
	err  error
}

func newAsyncWriter(w io.Writer) *asyncWriter {
	a := &asyncWriter{w: w, full: make(chan []byte, pipeDepth), free: make(chan []byte, pipeDepth+1), done: make(chan struct{})}
	for range pipeDepth + 1 {
		a.free <- make([]byte, 0, pipeChunk)
	}
	a.buf = <-a.free
	go a.run()
	return a
}

func (a *asyncWriter) run() {
	defer close(a.done)
	for b := range a.full {
		if a.failed() == nil {
			if _, err := a.w.Write(b); err != nil {
				a.mu.Lock()
				a.err = err
				a.mu.Unlock()
			}
		}
		a.free <- b[:0]
	}
}

func (a *asyncWriter) failed() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Write keeps p and hands it over once a chunk is full.
func (a *asyncWriter) Write(p []byte) (int, error) {
	if err := a.failed(); err != nil {
		return 0, err
	}
	n := len(p)
	for len(p) > 0 {
		k := copy(a.buf[len(a.buf):cap(a.buf)], p)
		a.buf, p = a.buf[:len(a.buf)+k], p[k:]
		if len(a.buf) == cap(a.buf) {
			a.full <- a.buf
			a.buf = <-a.free
		}
	}
	return n, nil
}

// Close hands over what is left and waits until w has it all.
func (a *asyncWriter) Close() error {
	if len(a.buf) > 0 {
		a.full <- a.buf
		a.buf = nil
	}
	close(a.full)
	<-a.done
	return a.failed()
}

// aheadReader reads r on a goroutine of its own, a few chunks ahead of
// its reader, so that a blob is decompressed while its JSON is decoded.
type aheadReader struct {
	ready chan chunk
	free  chan []byte
	stop  chan struct{}
	done  chan struct{}
	whole []byte // the chunk being read, to hand back once read
	cur   []byte // what is left of it
	err   error
}

func newAheadReader(r io.Reader) *aheadReader {
	a := &aheadReader{ready: make(chan chunk, pipeDepth), free: make(chan []byte, pipeDepth+1),
		stop: make(chan struct{}), done: make(chan struct{})}
	for range pipeDepth + 1 {
		a.free <- make([]byte, pipeChunk)
	}
	go a.run(r)
	return a
}

func (a *aheadReader) run(r io.Reader) {
	defer close(a.done)
	for {
		var b []byte
		select {
		case b = <-a.free:
		case <-a.stop:
			return
		}
		n, err := io.ReadFull(r, b[:cap(b)])
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case a.ready <- chunk{b: b[:n], err: err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read returns the text read ahead, in order, then the error that ended it.
func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.whole != nil {
			a.free <- a.whole
			a.whole = nil
		}
		if a.err != nil {
			return 0, a.err
		}
		c := <-a.ready
		a.whole, a.cur, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the reading ahead and waits for it to end; it does not
// close r.
func (a *aheadReader) Close() {
	close(a.stop)
	<-a.done
}
