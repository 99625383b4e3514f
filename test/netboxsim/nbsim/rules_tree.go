package nbsim

import "fmt"

// The nested groups (locations, device roles, from 4.4 platforms): a group's parent may not be
// itself or one of its descendants (netbox/models/__init__.py NestedGroupModel.clean; from
// 4.7, ltree trees, netbox/models/ltree.py).

// treeClean checks the parent of a group of endpoint (its verbose name noun), then runs next.
func treeClean(endpoint, noun string, next func(v *view, o, old *object, errs fieldErrors)) func(v *view, o, old *object, errs fieldErrors) {
	return func(v *view, o, old *object, errs fieldErrors) {
		if old != nil && v.descendsFrom(endpoint, o.id("parent"), o.ID) {
			msg := fmt.Sprintf("Cannot assign self or child %s as parent.", noun)
			if v.st.cat.rel.nestedGroupsNullsNotDistinct() {
				msg = "Cannot assign self or a descendant as parent."
			}
			errs.add("parent", msg)
			return
		}
		if next != nil {
			next(v, o, old, errs)
		}
	}
}

// descendsFrom reports whether group id of endpoint is ancestor or one of its descendants.
func (v *view) descendsFrom(endpoint string, id, ancestor int64) bool {
	for depth := 0; id != 0 && depth < 100; depth++ {
		if id == ancestor {
			return true
		}
		g := v.get(endpoint, id)
		if g == nil {
			return false
		}
		id = g.id("parent")
	}
	return false
}
