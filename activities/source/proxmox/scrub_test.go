package proxmox

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestScrubCredentials(t *testing.T) {
	const secret, ticket, csrf = "0b8e1f7c-3d2a-4c59-9e61-7a4f2b8d5c13", "PVE:root@pam:4EEC61E2::rsKoApxDTLYPn6H3NNT6iP2mv", "4EEC61E2:lwk7od06fa1+DcPUwBTXCcndyAY"
	token := httptest.NewRequest(http.MethodGet, "/api2/json/nodes", nil)
	token.Header.Set("Authorization", "PVEAPIToken=netbox-agent@pve!sync="+secret)
	ticketed := httptest.NewRequest(http.MethodPost, "/api2/json/nodes", nil)
	ticketed.Header.Set("Cookie", "PVEAuthCookie="+ticket)
	ticketed.Header.Set("CSRFPreventionToken", csrf)
	for _, tc := range []struct {
		name, text, want string
		req              *http.Request
	}{
		{"the request's token secret", "internal error, request was: Authorization: PVEAPIToken=netbox-agent@pve!sync=" + secret,
			"internal error, request was: Authorization: PVEAPIToken=[redacted]", token},
		{"the secret alone", "bad token " + secret, "bad token [redacted]", token},
		{"a ticket and a CSRF token", "cookie PVEAuthCookie=" + ticket + "; CSRFPreventionToken: " + csrf,
			"cookie PVEAuthCookie=[redacted]; CSRFPreventionToken: [redacted]", ticketed},
		{"a token shape of another request", "PVEAPIToken=other@pve!x=11111111-2222", "PVEAPIToken=[redacted]", ticketed},
		{"nothing secret", "QEMU guest agent is not running", "QEMU guest agent is not running", token},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := scrubCredentials(tc.text, tc.req)
			assert.Equal(t, tc.want, got)
			assert.NotContains(t, got, secret)
			assert.NotContains(t, got, ticket)
		})
	}
}
