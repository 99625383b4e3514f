package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeS3 answers the path-style object calls the S3 driver makes (PUT,
// GET, HEAD and DELETE of /<bucket>/<key>), keeping objects in memory.
type fakeS3 struct {
	mu       sync.Mutex
	objects  map[string]s3Object
	requests []string
}

type s3Object struct {
	body            []byte
	contentType     string
	contentEncoding string
}

func newFakeS3(t *testing.T) (*httptest.Server, *fakeS3) {
	t.Helper()
	f := &fakeS3{objects: map[string]s3Object{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv, f
}

func (f *fakeS3) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/")
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+key)
	f.mu.Unlock()
	switch r.Method {
	case http.MethodPut:
		f.put(w, r, key)
	case http.MethodGet, http.MethodHead:
		f.get(w, r, key)
	case http.MethodDelete:
		f.mu.Lock()
		delete(f.objects, key)
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "not implemented", http.StatusNotImplemented)
	}
}

func (f *fakeS3) put(w http.ResponseWriter, r *http.Request, key string) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") {
		if body, err = unchunk(body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	f.mu.Lock()
	f.objects[key] = s3Object{body: body, contentType: r.Header.Get("Content-Type"),
		contentEncoding: strings.TrimPrefix(strings.ReplaceAll(r.Header.Get("Content-Encoding"), "aws-chunked", ""), ",")}
	f.mu.Unlock()
	w.Header().Set("ETag", fmt.Sprintf("%q", fmt.Sprintf("%x", len(body))))
	w.WriteHeader(http.StatusOK)
}

func (f *fakeS3) get(w http.ResponseWriter, r *http.Request, key string) {
	f.mu.Lock()
	obj, ok := f.objects[key]
	f.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`)
		}
		return
	}
	h := w.Header()
	h.Set("Content-Type", obj.contentType)
	if obj.contentEncoding != "" {
		h.Set("Content-Encoding", obj.contentEncoding)
	}
	h.Set("Content-Length", fmt.Sprint(len(obj.body)))
	h.Set("ETag", fmt.Sprintf("%q", fmt.Sprintf("%x", len(obj.body))))
	h.Set("Last-Modified", "Mon, 02 Jan 2006 15:04:05 GMT")
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(obj.body)
	}
}

// unchunk decodes an aws-chunked body: "<hex size>[;chunk-signature=…]\r\n
// <data>\r\n" until a chunk of size 0, then optional trailers.
func unchunk(b []byte) ([]byte, error) {
	var out []byte
	for {
		line, rest, ok := bytes.Cut(b, []byte("\r\n"))
		if !ok {
			return nil, errors.New("aws-chunked body: no chunk header")
		}
		sizeText, _, _ := strings.Cut(string(line), ";")
		var size int
		if _, err := fmt.Sscanf(sizeText, "%x", &size); err != nil {
			return nil, fmt.Errorf("aws-chunked body: chunk size %q: %w", sizeText, err)
		}
		if size == 0 {
			return out, nil
		}
		if len(rest) < size {
			return nil, errors.New("aws-chunked body: chunk shorter than its size")
		}
		out = append(out, rest[:size]...)
		b = bytes.TrimPrefix(rest[size:], []byte("\r\n"))
	}
}

func (f *fakeS3) saw(method, key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.requests {
		if r == method+" "+key {
			return true
		}
	}
	return false
}

// TestS3Store opens an s3:// URL whose endpoint is a fake S3: the driver is
// linked, and documents go there and come back.
func TestS3Store(t *testing.T) {
	srv, fake := newFakeS3(t)
	// Credentials from the environment only: no shared files, no instance
	// metadata service.
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	ctx := context.Background()
	s, err := Open(ctx, "s3://netbox-agent?region=us-east-1&use_path_style=true&disable_https=true&response_checksum_validation=when_required&endpoint="+srv.URL, "")
	require.NoError(t, err)
	defer func() { require.NoError(t, s.Close()) }()

	n, err := s.PutJSON(ctx, "runs/wf-1/inventory.json", doc{Name: "pve1", Count: 3})
	require.NoError(t, err)
	require.Positive(t, n)
	assert.True(t, fake.saw(http.MethodPut, "netbox-agent/runs/wf-1/inventory.json"), "the document went to the bucket")

	var got doc
	require.NoError(t, s.GetJSON(ctx, "runs/wf-1/inventory.json", &got))
	require.Equal(t, doc{Name: "pve1", Count: 3}, got)

	ok, err := s.Exists(ctx, "runs/wf-1/inventory.json")
	require.NoError(t, err)
	require.True(t, ok)

	err = s.GetJSON(ctx, "runs/wf-1/missing.json", &got)
	require.True(t, errors.Is(err, ErrNotFound), "got %v", err)

	require.NoError(t, s.Delete(ctx, "runs/wf-1/inventory.json"))
	ok, err = s.Exists(ctx, "runs/wf-1/inventory.json")
	require.NoError(t, err)
	require.False(t, ok)
}
