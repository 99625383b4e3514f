// Package s3server starts a real S3-compatible server for the tests, in its
// own process on a free loopback port, with one bucket and one access key
// that may use only that bucket.
//
// The server is moto's server mode (moto[server] from PyPI, pinned in
// s3server.sh), chosen over the Go candidates: it is a separate process
// speaking S3 over HTTP, so the AWS SDK's signing, streaming uploads with
// checksum trailers, multipart uploads and XML errors go over a real socket,
// and it checks each request's signature against its own IAM user, so a
// wrong secret is refused as by S3 itself. gofakes3 runs inside the test
// process and checks no signature; SeaweedFS is a real server, but building
// it from the module proxy takes minutes and pulls in hundreds of modules.
// moto installs from PyPI in seconds, or not at all where the machine has
// it already (s3server.sh makes a venv that sees the system's packages).
//
// Start installs it on first use into ~/.cache/netbox-agent (or
// $NETBOX_AGENT_CACHE), as test/realnetbox/netbox.sh caches NetBox. A test
// is skipped only when the install fails, and fails instead when CI is set:
// .ci/run installs the server before the tests.
package s3server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running S3 server and the one bucket and key it was made with.
type Server struct {
	// Endpoint is the server's URL, http://127.0.0.1:<port>.
	Endpoint string `json:"endpoint"`
	// Region is the bucket's region.
	Region string `json:"region"`
	// Bucket is the bucket made at start, empty.
	Bucket string `json:"bucket"`
	// AccessKeyID and SecretAccessKey are the key allowed on Bucket (and
	// on the buckets named Bucket-..., which do not exist); every other
	// key, or this one with another secret, is refused.
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// startTimeout bounds the install (a pip install on a machine without
// moto) and the server's start.
const startTimeout = 5 * time.Minute

// Start starts a server with an empty bucket named bucket, stopped when t
// ends. It skips t when the server cannot be installed, unless CI is set.
func Start(t testing.TB, bucket string) *Server {
	t.Helper()
	dir, err := helperDir()
	if err != nil {
		t.Fatalf("s3server: %s", err.Error())
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	python, err := install(ctx, dir)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("s3server: %s (CI installs it with test/s3server/s3server.sh install)", err.Error())
		}
		t.Skipf("no S3 server for this test: %s (test/s3server/s3server.sh install installs it)", err.Error())
	}
	srv, stop, err := start(ctx, python, filepath.Join(dir, "moto_s3.py"), bucket)
	if err != nil {
		t.Fatalf("s3server: %s", err.Error())
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("s3server: %s", err.Error())
		}
	})
	return srv
}

// helperDir is this package's directory, where its scripts are.
func helperDir() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot find the s3server package's directory")
	}
	return filepath.Dir(file), nil
}

// install runs s3server.sh python, which installs moto when missing (one
// install at a time, under a lock in the cache), and returns the Python
// that has it.
func install(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(dir, "s3server.sh"), "python")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("install moto's S3 server: %w: %s", err, lastLine(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// start runs the server script and reads the line it prints once it
// serves. stop ends it by closing its standard input, which the script
// waits on, and kills it if it has not gone a few seconds later.
func start(ctx context.Context, python, script, bucket string) (*Server, func() error, error) {
	// Not CommandContext: the server outlives ctx, which bounds its start.
	cmd := exec.Command(python, script, "--bucket", bucket)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, nil, fmt.Errorf("start moto: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, fmt.Errorf("start moto: %w", err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("start moto: %w", err)
	}
	exited := make(chan error, 1)
	stop := func() error {
		stdin.Close() // the script's read of stdin ends: it stops the server and exits
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
				return fmt.Errorf("kill moto: %w", err)
			}
			<-exited
		}
		return nil
	}
	lines := make(chan []byte, 1)
	go func() {
		line, err := bufio.NewReader(stdout).ReadBytes('\n')
		if err == nil {
			lines <- line
		}
		_, _ = io.Copy(io.Discard, stdout) // the script prints nothing more; drain whatever does
		exited <- cmd.Wait()
	}()
	var srv Server
	select {
	case line := <-lines:
		if err := json.Unmarshal(line, &srv); err != nil {
			return nil, nil, errors.Join(fmt.Errorf("moto's start line: %w", err), stop())
		}
	case err := <-exited:
		if err == nil {
			err = errors.New("exit status 0")
		}
		return nil, nil, fmt.Errorf("moto exited before serving: %w: %s", err, lastLine(stderr.String()))
	case <-ctx.Done():
		return nil, nil, errors.Join(fmt.Errorf("moto did not start: %w: %s", ctx.Err(), lastLine(stderr.String())), stop())
	}
	return &srv, stop, nil
}

// URL is the blob_url of the server's bucket as docs/deployment.md writes
// it for MinIO and the like: path-style requests to its http:// endpoint.
func (s *Server) URL() string {
	q := url.Values{}
	q.Set("region", s.Region)
	q.Set("endpoint", s.Endpoint)
	q.Set("use_path_style", "true")
	return "s3://" + s.Bucket + "?" + q.Encode()
}

// Env is the environment that gives the AWS SDK the server's key and
// nothing else: no shared config or credentials files, no instance
// metadata service.
func (s *Server) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretAccessKey,
		"AWS_SESSION_TOKEN=",
		"AWS_PROFILE=",
		"AWS_CONFIG_FILE=" + os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// SetEnv sets Env in t's process environment, for the code under test
// that reads the key as the worker does.
func (s *Server) SetEnv(t testing.TB) {
	t.Helper()
	for _, kv := range s.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// lastLine is the last non-empty line of s, where a script says why it
// failed.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// syncBuffer is a bytes.Buffer that the process's output and the reader of
// its error may use at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
