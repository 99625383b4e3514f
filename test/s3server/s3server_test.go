package s3server

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestServerChecksKeys: the server refuses a request signed with a key it
// does not know, so that the tests of a wrong key mean something.
func TestServerChecksKeys(t *testing.T) {
	srv := Start(t, "probe")
	require.NotEmpty(t, srv.AccessKeyID)
	require.NotEmpty(t, srv.SecretAccessKey)
	require.Contains(t, srv.URL(), "s3://probe?")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.Endpoint+"/probe?list-type=2", nil)
	require.NoError(t, err)
	now := time.Now().UTC()
	req.Header.Set("X-Amz-Date", now.Format("20060102T150405Z"))
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIANOTAKEY000000000/"+now.Format("20060102")+
		"/"+srv.Region+"/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "%s", body)
	require.Contains(t, string(body), "InvalidAccessKeyId")
}
