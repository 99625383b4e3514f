package nbsim

// The mac_address shortcut of NetBox 4.7: an interface's or VM interface's mac_address is
// writable, and writing it sets the primary MAC, finding the MAC address object on the interface
// or creating one (dcim/api/serializers_/mixins.py MACAddressShortcutMixin,
// dcim/models/device_components.py BaseInterface._set_primary_mac_address).

// macShortcut reads the body's mac_address when the release and kind take one: the value
// ("" for a null or blank one, which clears the primary MAC), whether it was given, and the
// 400 body for an invalid or conflicting one.
func (t *tx) macShortcut(k *kindSpec, body map[string]any) (string, bool, fieldErrors) {
	if !t.st.cat.rel.macShortcut() || (k.Endpoint != epInterfaces && k.Endpoint != epVMInterfaces) {
		return "", false, nil
	}
	raw, ok := body["mac_address"]
	if !ok {
		return "", false, nil
	}
	value := ""
	if raw != nil {
		s, isStr := raw.(string)
		if !isStr {
			s = pyStr(raw)
		}
		value = s
	}
	mac := ""
	if value != "" {
		m, valid := parseMAC(value)
		if !valid {
			return "", true, fieldErrors{"mac_address": []any{"Enter a valid MAC address (e.g. 00:11:22:33:44:55)."}}
		}
		mac = m
	}
	// _validate_no_mac_conflict: both fields given must name the same address.
	if p, given := body["primary_mac_address"]; given {
		primary := ""
		if p != nil {
			id, msg := t.resolveRef(epMACs, p)
			if msg != "" {
				return "", true, nil // the field's own error is reported by prepare
			}
			primary = t.get(epMACs, id).str("mac_address")
		}
		if primary != mac {
			return "", true, fieldErrors{t.st.cat.rel.nonFieldKey(): []any{"The provided 'mac_address' and 'primary_mac_address' values conflict."}}
		}
	}
	return mac, true, nil
}

// setPrimaryMAC points iface's primary MAC at mac (none when mac is ""), creating the MAC
// address object on iface when it has none with that address.
func (t *tx) setPrimaryMAC(k *kindSpec, iface *object, mac string) fieldErrors {
	var target int64
	if mac != "" {
		key := k.ObjectType + ":" + itoa(iface.ID)
		for _, id := range t.table(epMACs).index("mac_address", mac) {
			if t.table(epMACs).kind.Generic[0].key(t.get(epMACs, id)) == key {
				target = id
				break
			}
		}
		if target == 0 {
			macKind := t.table(epMACs).kind
			o, errs := t.prepare(macKind, map[string]any{"mac_address": mac, "assigned_object_type": k.ObjectType,
				"assigned_object_id": iface.ID}, nil, false)
			if errs != nil {
				return fieldErrors{"mac_address": flattenErrors(errs)}
			}
			t.save(macKind, o, nil)
			target = o.ID
		}
	}
	cur := t.get(k.Endpoint, iface.ID)
	if cur.id("primary_mac_address") == target {
		return nil
	}
	c := cur.clone()
	c.Fields["primary_mac_address"] = nil
	if target != 0 {
		c.Fields["primary_mac_address"] = target
	}
	errs := fieldErrors{}
	k.Clean(t.view, c, cur, errs)
	if len(errs) > 0 {
		return errs
	}
	t.save(k, c, cur)
	return nil
}

// flattenErrors lists a validation body's messages, as Django's ValidationError.messages does.
func flattenErrors(errs fieldErrors) []any {
	var out []any
	for _, v := range errs {
		if list, ok := v.([]any); ok {
			out = append(out, list...)
		}
	}
	return out
}
