package activities

import (
	"context"
	"fmt"

	"go.uber.org/zap"

	"github.com/netbox-agent/netbox-agent/activities/netbox"
)

// PrepareInput names the plan a run is about to apply and the run.
type PrepareInput struct {
	PlanRef string `json:"plan_ref"`
	// Run names the run in NetBox's changelog, and NetBoxVersion is the
	// release the run read when it planned (PlanResult.NetBoxVersion).
	Run           string `json:"run,omitempty"`
	NetBoxVersion string `json:"netbox_version,omitempty"`
}

// Prepare makes what the plan needs of NetBox before its first batch: the
// agent's tags and custom fields, the tags its sources name, and custom
// fields widened to every object type the agent writes. It reads what the
// plan needs from the blob store, never the plan itself, and writes only
// what is missing, so a prepared NetBox costs reads only.
func (a *Activities) Prepare(ctx context.Context, in PrepareInput) (netbox.Prepared, error) {
	defer keepAlive(ctx)()
	var schema netbox.Schema
	if err := a.Blob.GetJSON(ctx, SchemaRef(in.PlanRef), &schema); err != nil {
		return netbox.Prepared{}, classify(fmt.Errorf("load schema of plan %s: %w", in.PlanRef, err))
	}
	res, err := a.NetBox.Prepare(ctx, netbox.Run{ID: in.Run, NetBoxVersion: in.NetBoxVersion}, schema)
	if err != nil {
		return netbox.Prepared{}, classify(fmt.Errorf("prepare netbox: %w", err))
	}
	a.Log.Info("prepared", zap.Int("tags", res.Tags), zap.Int("tags_created", res.TagsCreated),
		zap.Int("custom_fields", res.CustomFields), zap.Int("custom_fields_created", res.CustomFieldsCreated),
		zap.Int("custom_fields_updated", res.CustomFieldsUpdated))
	return res, nil
}
