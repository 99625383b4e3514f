package inventory

import "strings"

// SharedKey is the key of a shared record (site, manufacturer, type, role,
// platform, cluster type): the kind and the slug of its name, so that every
// source that names "Dell Inc." reaches the same record.
func SharedKey(k Kind, name string) string {
	return string(k) + "/" + Slug(name)
}

// Key joins parts into a source-qualified key (`proxmox/pve1/qemu/100`).
// Slashes inside a part are escaped so that keys never collide.
func Key(parts ...string) string {
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = strings.ReplaceAll(strings.TrimSpace(p), "/", "%2F")
	}
	return strings.Join(esc, "/")
}
