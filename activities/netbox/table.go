package netbox

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the plan as tables a person can review: counts per
// kind, batches, every operation with its reason, then what was left alone.
func (p *Plan) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	pf := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	against := ""
	if p.NetBoxVersion != "" {
		against = " against NetBox " + p.NetBoxVersion
	}
	pf("Plan of %s%s: %d operations in %d batches\n\n", p.CreatedAt.UTC().Format("2006-01-02 15:04:05Z"), against, p.Operations(), len(p.Batches))

	pf("KIND\tCREATE\tUPDATE\tDELETE\tUNCHANGED\tSKIPPED\tORPHANED\n")
	for _, k := range Kinds() {
		c, ok := p.Summary.Kinds[k]
		if !ok {
			continue
		}
		pf("%s\t%d\t%d\t%d\t%d\t%d\t%d\n", k, c.Create, c.Update, c.Delete, c.Unchanged, c.Skipped, c.Orphaned)
	}
	t := p.Summary.Total
	pf("total\t%d\t%d\t%d\t%d\t%d\t%d\n", t.Create, t.Update, t.Delete, t.Unchanged, t.Skipped, t.Orphaned)

	if len(p.Batches) > 0 {
		pf("\nBATCH\tKIND\tOP\tOBJECTS\tDEPENDS ON\n")
		for _, b := range p.Batches {
			op := string(b.Op)
			if b.Phase != PhaseMain {
				op += " (" + string(b.Phase) + ")"
			}
			pf("%d\t%s\t%s\t%d\t%s\n", b.ID, b.Kind, op, len(b.Ops), joinInts(b.DependsOn))
		}
		pf("\nBATCH\tOP\tKIND\tID\tKEY\tNAME\tREASON\n")
		for _, b := range p.Batches {
			for _, o := range b.Ops {
				id := "new"
				if o.ID != 0 {
					id = fmt.Sprint(o.ID)
				}
				pf("%d\t%s\t%s\t%s\t%s\t%s\t%s\n", b.ID, b.Op, b.Kind, id, o.Key, cell(o.Name), cell(o.Reason))
			}
		}
	}
	if len(p.Ambiguous) > 0 {
		pf("\nAMBIGUOUS\tKEY\tCANDIDATES\tREASON\n")
		for _, f := range p.Ambiguous {
			pf("%s\t%s\t%s\t%s\n", f.Kind, f.Key, joinInt64s(f.Candidates), cell(f.Reason))
		}
	}
	if len(p.Adoptable) > 0 {
		pf("\nADOPTABLE\tKEY\tID\tNAME\tMATCHED BY\n")
		for _, f := range p.Adoptable {
			pf("%s\t%s\t%d\t%s\t%s\n", f.Kind, f.Key, f.ID, cell(f.Name), cell(f.Match))
		}
	}
	if len(p.Blocked) > 0 {
		pf("\nBLOCKED\n")
		for _, b := range p.Blocked {
			pf("%s\n", b)
		}
	}
	if through := p.LetThrough(); len(through) > 0 {
		pf("\nLET THROUGH\n")
		for _, line := range through {
			pf("%s\n", line)
		}
	}
	if len(p.Kept) > 0 {
		pf("\nKEPT, NOT SEEN\n")
		for _, k := range p.Kept {
			pf("%s\n", k)
		}
	}
	if len(p.Findings) > 0 {
		pf("\nFINDING\tKEY\tID\tREASON\n")
		for _, f := range p.Findings {
			kind := string(f.Kind)
			if kind == "" {
				kind = "-"
			}
			id := ""
			if f.ID != 0 {
				id = fmt.Sprint(f.ID)
			}
			pf("%s\t%s\t%s\t%s\n", kind, cell(f.Key), id, cell(f.Reason))
		}
	}
	return tw.Flush()
}

// cell keeps tabs and newlines of free text out of the table's layout.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
}

func joinInts(xs []int) string {
	if len(xs) == 0 {
		return "-"
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}

func joinInt64s(xs []int64) string {
	if len(xs) == 0 {
		return "-"
	}
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}
