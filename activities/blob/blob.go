// Package blob is the claim-check store: large data (snapshots, the merged
// inventory, plans) lives here and only its reference crosses Temporal, so
// no payload grows with the size of the estate.
package blob

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"sync"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // registers file://
	_ "gocloud.dev/blob/memblob"  // registers mem://
	_ "gocloud.dev/blob/s3blob"   // registers s3://
	"gocloud.dev/gcerrors"
)

// ErrNotFound is returned by Get for a reference nobody wrote.
var ErrNotFound = errors.New("blob not found")

// Store reads and writes JSON documents by reference. It is safe for
// concurrent use.
type Store struct {
	bucket *blob.Bucket
	url    string
	// name is the store in errors: its scheme and bucket or directory,
	// without the URL's options.
	name string
}

// Open opens the store behind rawURL: file:///abs/dir, file://relative/dir
// (relative to baseDir), mem://name or s3://bucket?region=... (with
// endpoint=https://host:port and use_path_style=true for an S3-compatible
// store; credentials from the AWS SDK's chain: the environment, the AWS
// files, a web identity or an instance role).
// The directory of a file store is created when missing.
func Open(ctx context.Context, rawURL, baseDir string) (*Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("parse blob url: %w", err)
	}
	open, name := rawURL, u.Scheme+"://"+u.Host
	if u.Scheme == "file" {
		p := u.Host + u.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(baseDir, p)
		}
		p, err = filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("resolve blob directory: %w", err)
		}
		q := u.Query()
		q.Set("create_dir", "true")
		q.Set("no_tmp_dir", "true")
		q.Set("metadata", "skip")
		open = "file://" + filepath.ToSlash(p) + "?" + q.Encode()
		name = "file://" + filepath.ToSlash(p)
	}
	b, err := blob.OpenBucket(ctx, open)
	if err != nil {
		return nil, fmt.Errorf("open blob store %s: %w", u.Scheme+"://", err)
	}
	return &Store{bucket: b, url: rawURL, name: name}, nil
}

// Check asks the store for one listing of at most one blob, so that a
// worker whose bucket is missing, or whose key or rights the server
// refuses, fails at its start with the reason rather than at its first
// run's first write.
func (s *Store) Check(ctx context.Context) error {
	ok, err := s.bucket.IsAccessible(ctx)
	if err != nil {
		return fmt.Errorf("blob store %s: %w", s.name, err)
	}
	if !ok {
		return fmt.Errorf("blob store %s: no such bucket", s.name)
	}
	return nil
}

// Close releases the store.
func (s *Store) Close() error {
	if err := s.bucket.Close(); err != nil {
		return fmt.Errorf("close blob store: %w", err)
	}
	return nil
}

// PutJSON encodes v as gzip-compressed JSON under ref, streaming slices
// element by element so that a large inventory is never held twice in
// memory. It returns the number of bytes written to the store.
func (s *Store) PutJSON(ctx context.Context, ref string, v any) (int64, error) {
	if err := checkRef(ref); err != nil {
		return 0, err
	}
	w, err := s.bucket.NewWriter(ctx, ref, &blob.WriterOptions{ContentType: "application/json", ContentEncoding: "gzip"})
	if err != nil {
		return 0, fmt.Errorf("write blob %s: %w", ref, err)
	}
	cw := &countingWriter{w: w}
	zw, err := gzipWriter(cw)
	if err != nil {
		w.Close() // nothing was written
		return 0, fmt.Errorf("write blob %s: %w", ref, err)
	}
	defer gzipWriters.Put(zw)
	// The JSON is compressed on another goroutine as it is encoded.
	aw := newAsyncWriter(zw)
	encErr := encodeStream(aw, v)
	pipeErr := aw.Close()
	zErr := zw.Close()
	if encErr != nil || pipeErr != nil || zErr != nil {
		w.Close() // the write is abandoned; its error adds nothing to encErr
		return 0, fmt.Errorf("write blob %s: %w", ref, errors.Join(encErr, pipeErr, zErr))
	}
	if err := w.Close(); err != nil {
		return 0, fmt.Errorf("write blob %s: %w", ref, err)
	}
	return cw.n, nil
}

// PutEach writes under ref a JSON array of the values each puts, one at a
// time, as PutJSON writes a slice: a merged inventory is written as it is
// made, never held whole.
func (s *Store) PutEach(ctx context.Context, ref string, each func(put func(v any) error) error) (int64, error) {
	return s.PutJSON(ctx, ref, streamed(each))
}

// GetJSON decodes the document under ref into v.
func (s *Store) GetJSON(ctx context.Context, ref string, v any) error {
	dec, closeFn, err := s.decoder(ctx, ref)
	if err != nil {
		return err
	}
	defer closeFn()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("decode blob %s: %w", ref, err)
	}
	return nil
}

// decoder opens the document under ref for decoding; numbers stay
// json.Number so that integers survive. The caller calls closeFn.
func (s *Store) decoder(ctx context.Context, ref string) (dec *json.Decoder, closeFn func(), err error) {
	r, closeFn, err := s.open(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	dec = json.NewDecoder(r)
	dec.UseNumber()
	return dec, closeFn, nil
}

// open opens the document under ref, uncompressed. The caller calls closeFn.
func (s *Store) open(ctx context.Context, ref string) (io.Reader, func(), error) {
	if err := checkRef(ref); err != nil {
		return nil, nil, err
	}
	r, err := s.bucket.NewReader(ctx, ref, nil)
	if err != nil {
		if gcerrors.Code(err) == gcerrors.NotFound {
			return nil, nil, fmt.Errorf("read blob %s: %w", ref, ErrNotFound)
		}
		return nil, nil, fmt.Errorf("read blob %s: %w", ref, err)
	}
	zr, err := gzip.NewReader(r)
	if err != nil {
		r.Close() // the read failed already; its close error adds nothing
		return nil, nil, fmt.Errorf("read blob %s: %w", ref, err)
	}
	// The blob is decompressed on another goroutine as it is decoded.
	ahead := newAheadReader(zr)
	return ahead, func() { ahead.Close(); r.Close() }, nil
}

// EachJSON decodes the JSON array under ref one element at a time, calling
// each with every element in order, its numbers json.Number. Unlike
// GetJSON it never holds the whole document's text, which for a large
// inventory is as big as the records. An element whose pointer has a
// DecodeJSON method (inventory.Record) reads its own text.
func EachJSON[T any](ctx context.Context, s *Store, ref string, each func(*T) error) error {
	r, closeFn, err := s.open(ctx, ref)
	if err != nil {
		return err
	}
	defer closeFn()
	err = eachElement(r, each)
	var decodeErr *elementError
	if errors.As(err, &decodeErr) {
		return fmt.Errorf("decode blob %s: %w", ref, decodeErr.err)
	}
	return err
}

// elementError is an array or an element of it that does not decode.
type elementError struct{ err error }

func (e *elementError) Error() string { return e.err.Error() }

// eachElement decodes the JSON array r holds one element at a time, as
// EachJSON; an array or element that does not decode is an elementError,
// each's own error is returned as it is.
func eachElement[T any](r io.Reader, each func(*T) error) error {
	arr := newArrayReader(r)
	for {
		text, err := arr.next()
		if err != nil {
			return &elementError{err}
		}
		if text == nil {
			return nil
		}
		var v T
		if err := decodeElement(text, &v); err != nil {
			return &elementError{err}
		}
		if err := each(&v); err != nil {
			return err
		}
	}
}

// decodeElement decodes one element's text into v, by its DecodeJSON when
// it has one, else as a json.Decoder with UseNumber does.
func decodeElement(text []byte, v any) error {
	if d, ok := v.(jsonDecoder); ok {
		return d.DecodeJSON(text)
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	return dec.Decode(v)
}

// jsonDecoder is a value that reads its own JSON, as a json.Decoder with
// UseNumber would, without encoding/json's reflection (inventory.Record).
type jsonDecoder interface {
	DecodeJSON(data []byte) error
}

// Exists reports whether a document is stored under ref.
func (s *Store) Exists(ctx context.Context, ref string) (bool, error) {
	ok, err := s.bucket.Exists(ctx, ref)
	if err != nil {
		return false, fmt.Errorf("stat blob %s: %w", ref, err)
	}
	return ok, nil
}

// Delete removes the document under ref; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, ref string) error {
	err := s.bucket.Delete(ctx, ref)
	if err != nil && gcerrors.Code(err) != gcerrors.NotFound {
		return fmt.Errorf("delete blob %s: %w", ref, err)
	}
	return nil
}

// gzipWriters keeps compressors for reuse: each holds several hundred
// kilobytes of tables, and a plan of a large estate writes a blob per batch.
var gzipWriters sync.Pool

// gzipWriter returns a compressor writing to w. Blobs are compressed for
// speed: at the default level, compressing a 100,000-record inventory
// (30 MB of JSON) costs about as much CPU as encoding it; at the fastest
// its blob is a quarter larger (1.2 MB instead of 1.0 MB) for a fraction
// of that.
func gzipWriter(w io.Writer) (*gzip.Writer, error) {
	if zw, ok := gzipWriters.Get().(*gzip.Writer); ok {
		zw.Reset(w)
		return zw, nil
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return zw, nil
}

func checkRef(ref string) error {
	if ref == "" || strings.HasPrefix(ref, "/") || strings.Contains(ref, "..") {
		return fmt.Errorf("invalid blob reference %q", ref)
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
