// Package netbox reconciles NetBox with the merged inventory: it reads the
// NetBox objects that matter, plans the creates, updates and deletes that
// make NetBox match the inventory, and applies such a plan in bulk batches.
//
// One generic path serves every kind; what differs between kinds (endpoint,
// managed fields, natural keys, match order) lives in the tables of kinds.go.
package netbox

import (
	"fmt"
	"net/url"
	"time"

	"github.com/netbox-agent/netbox-agent/activities/inventory"
)

// Config is the `netbox:` section of the configuration, without the token.
type Config struct {
	URL                string        `json:"url" yaml:"url"`
	CAFile             string        `json:"ca_file,omitempty" yaml:"ca_file"`
	InsecureSkipVerify bool          `json:"insecure_skip_verify,omitempty" yaml:"insecure_skip_verify"`
	Timeout            time.Duration `json:"timeout,omitempty" yaml:"timeout"`
	// BatchSize is the number of objects in one bulk request (default 100).
	BatchSize int `json:"batch_size,omitempty" yaml:"batch_size"`
	// PageSize is the number of objects asked for per page (default 1000).
	PageSize int `json:"page_size,omitempty" yaml:"page_size"`
	// RateLimit caps requests per second; 0 means no limit.
	RateLimit float64 `json:"rate_limit,omitempty" yaml:"rate_limit"`
	// MaxInFlight caps concurrent requests (default 4).
	MaxInFlight int `json:"max_in_flight,omitempty" yaml:"max_in_flight"`
	// ReadRetries is how often a failed GET is retried inside one call
	// (default 3); writes are never retried here, their caller retries the
	// whole idempotent batch.
	ReadRetries int `json:"read_retries,omitempty" yaml:"read_retries"`
	// Adopt says what becomes of a hand-made object that is the same thing
	// as a record by serial, MAC or natural key: never, report (the
	// default, also for "") or auto (AdoptPolicy).
	Adopt AdoptPolicy `json:"adopt,omitempty" yaml:"adopt"`
	// AdoptKinds overrides Adopt for the kinds it names.
	AdoptKinds map[inventory.Kind]AdoptPolicy `json:"adopt_kinds,omitempty" yaml:"adopt_kinds"`
	// OrphanGrace is how long an orphan stays marked before it is deleted
	// (30 days in DefaultConfig); 0 means never delete.
	OrphanGrace time.Duration `json:"orphan_grace" yaml:"orphan_grace"`
	// MassDeleteThreshold blocks the orphaning of a source's kind when
	// more than this share of its baseline would go (default 0.10), and
	// more than MassDeleteFloor objects.
	MassDeleteThreshold float64 `json:"mass_delete_threshold,omitempty" yaml:"mass_delete_threshold"`
	// MassDeleteMax blocks the orphaning of a source's kind when more than
	// this many of its objects would go, whatever the share (default 50).
	MassDeleteMax int `json:"mass_delete_max,omitempty" yaml:"mass_delete_max"`
	// MassDeleteFloor is how many objects of a kind may go before the
	// share rule applies (default 3), so that a kind of a few objects
	// is not blocked for losing one.
	MassDeleteFloor int `json:"mass_delete_floor,omitempty" yaml:"mass_delete_floor"`
	// OnManualEdit is what an update does with a field an operator changed
	// in NetBox: keep (the default, also for ""), overwrite or report.
	OnManualEdit string `json:"on_manual_edit,omitempty" yaml:"on_manual_edit"`
	// OnManualEditFields overrides OnManualEdit for a record attribute
	// ("description") or a kind's ("device.serial"), which wins.
	OnManualEditFields map[string]string `json:"on_manual_edit_fields,omitempty" yaml:"on_manual_edit_fields"`
	// CustomFields maps record attributes to NetBox custom fields.
	CustomFields []CustomFieldMapping `json:"custom_fields,omitempty" yaml:"custom_fields"`
	// MaxRetryAfter caps the wait a Retry-After from NetBox asks for
	// (default 60s): a NetBox that asks for an hour is retried sooner.
	MaxRetryAfter time.Duration `json:"max_retry_after,omitempty" yaml:"max_retry_after"`
	// MaxResponseBytes bounds one answer NetBox sends (default 64 MiB); a
	// larger one fails the request with an error naming the limit and the path.
	MaxResponseBytes int64 `json:"max_response_bytes,omitempty" yaml:"max_response_bytes"`
}

// CustomFieldMapping writes the record attribute Attr of the given kinds
// into the NetBox custom field Field, created with type Type (text,
// longtext, integer, decimal, boolean, date, url, json; default text).
type CustomFieldMapping struct {
	Attr  string           `json:"attr" yaml:"attr"`
	Field string           `json:"field" yaml:"field"`
	Kinds []inventory.Kind `json:"kinds" yaml:"kinds"`
	Type  string           `json:"type,omitempty" yaml:"type"`
}

// Defaults of Config.
const (
	DefaultBatchSize           = 100
	DefaultPageSize            = 1000
	DefaultMaxInFlight         = 4
	DefaultReadRetries         = 3
	DefaultTimeout             = 30 * time.Second
	DefaultOrphanGrace         = 30 * 24 * time.Hour
	DefaultMassDeleteThreshold = 0.10
	DefaultMassDeleteMax       = 50
	DefaultMassDeleteFloor     = 3
	DefaultMaxRetryAfter       = time.Minute
	DefaultMaxResponseBytes    = 64 << 20
)

// DefaultConfig returns the configuration a user gets without settings:
// start from it, because the zero value of OrphanGrace is meaningful
// (never delete).
func DefaultConfig() Config {
	return Config{
		Timeout:             DefaultTimeout,
		BatchSize:           DefaultBatchSize,
		PageSize:            DefaultPageSize,
		MaxInFlight:         DefaultMaxInFlight,
		ReadRetries:         DefaultReadRetries,
		Adopt:               AdoptReport,
		OrphanGrace:         DefaultOrphanGrace,
		MassDeleteThreshold: DefaultMassDeleteThreshold,
		MassDeleteMax:       DefaultMassDeleteMax,
		MassDeleteFloor:     DefaultMassDeleteFloor,
	}
}

// withDefaults fills the numeric settings whose zero value means "default".
func (c Config) withDefaults() (Config, error) {
	s := c
	if s.BatchSize <= 0 {
		s.BatchSize = DefaultBatchSize
	}
	if s.PageSize <= 0 {
		s.PageSize = DefaultPageSize
	}
	if s.MaxInFlight <= 0 {
		s.MaxInFlight = DefaultMaxInFlight
	}
	if s.ReadRetries <= 0 {
		s.ReadRetries = DefaultReadRetries
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultTimeout
	}
	if s.MassDeleteThreshold <= 0 {
		s.MassDeleteThreshold = DefaultMassDeleteThreshold
	}
	if s.MassDeleteMax <= 0 {
		s.MassDeleteMax = DefaultMassDeleteMax
	}
	if s.MassDeleteFloor <= 0 {
		s.MassDeleteFloor = DefaultMassDeleteFloor
	}
	if s.MaxRetryAfter <= 0 {
		s.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if s.MaxResponseBytes <= 0 {
		s.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if s.MassDeleteThreshold > 1 {
		return s, fmt.Errorf("mass_delete_threshold %g is above 1", s.MassDeleteThreshold)
	}
	if s.RateLimit < 0 {
		return s, fmt.Errorf("rate_limit %g is negative", s.RateLimit)
	}
	if s.OrphanGrace < 0 {
		return s, fmt.Errorf("orphan_grace %s is negative", s.OrphanGrace)
	}
	if err := validateMappings(s.CustomFields); err != nil {
		return s, err
	}
	if err := validateManualEdit(s); err != nil {
		return s, err
	}
	if err := validateAdopt(s); err != nil {
		return s, err
	}
	return s, nil
}

func validateURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse netbox url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("netbox url %q: scheme must be http or https", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("netbox url %q: missing host", u.Redacted())
	}
	return u, nil
}
