package nbsim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// NetBox 4.7 stores a service's ports as port_mappings, "protocol/port" strings that may mix
// protocols; the API still takes and shows the single-protocol protocol and ports, derived from
// the mappings, null when they mix protocols (ipam/api/serializers_/services.py
// PortMappingsSerializerMixin, ipam/models/services.py, ipam/validators.py, ipam/utils.py).

// cleanService: up to 4.6 the serializer takes a service without a protocol, and the model's
// field refuses it blank (ipam/models/services.py Service.protocol).
func cleanService(_ *view, o, _ *object, errs fieldErrors) {
	if o.str("protocol") == "" {
		errs.add("protocol", "This field cannot be blank.")
	}
}

// serviceProtocols are ServiceProtocolChoices' values.
func serviceProtocols() []string { return []string{"tcp", "udp", "sctp"} }

// validateServicePorts is PortMappingsSerializerMixin.validate and ServiceBase.clean: it turns
// the request's protocol and ports (or port_mappings) into o's port_mappings, and sets
// protocol and ports as the API shows them.
func validateServicePorts(t *tx, body map[string]any, o, old *object, errs fieldErrors) {
	var mappings []string
	_, given := body["port_mappings"]
	if given {
		raw := stringList(o.Fields["port_mappings"])
		norm, msg := normalizePortMappings(raw)
		if msg != "" {
			errs.add("port_mappings", msg)
			return
		}
		mappings = norm
	}
	if body["protocol"] != nil || body["ports"] != nil {
		legacy, ok := legacyPortMappings(body, o, old, mappings, given, errs)
		if !ok {
			return
		}
		mappings = legacy
	} else if !given {
		mappings = stringList(o.Fields["port_mappings"])
	}
	if len(mappings) == 0 {
		errs.add("port_mappings", "At least one port mapping is required.")
		return
	}
	o.Fields["port_mappings"] = toAnyList(mappings)
	protocol, ports := legacyProtocolAndPorts(mappings)
	o.Fields["protocol"], o.Fields["ports"] = protocol, ports
}

// legacyPortMappings reads the deprecated protocol and ports of a write: they must agree with
// port_mappings when both are given; an omitted one is taken from the object being updated.
func legacyPortMappings(body map[string]any, o, old *object, mappings []string, given bool, errs fieldErrors) ([]string, bool) {
	protocol, ports := "", []int64(nil)
	if body["protocol"] != nil {
		protocol = o.str("protocol")
	}
	if body["ports"] != nil {
		ports = o.ids("ports")
	}
	if given {
		wantProto, wantPorts := legacyProtocolAndPorts(mappings)
		sorted := slices.Sorted(slices.Values(ports))
		if (protocol != "" && protocol != wantProto) || (ports != nil && !slices.Equal(sorted, nonNil(wantPorts))) {
			errs.add("__all__", "Specify either 'port_mappings' or the deprecated 'protocol'/'ports' fields, not both.")
			return nil, false
		}
		return mappings, true
	}
	if ports != nil && len(ports) == 0 {
		errs.add("ports", "At least one port mapping is required.")
		return nil, false
	}
	if old != nil {
		cur := stringList(old.Fields["port_mappings"])
		oldProto, oldPorts := legacyProtocolAndPorts(cur)
		if protocol == "" {
			protocol, _ = oldProto.(string)
		}
		if body["ports"] == nil {
			ports = nonNil(oldPorts)
		}
	}
	if protocol == "" || len(ports) == 0 {
		errs.add("__all__", "Both 'protocol' and 'ports' are required when writing via the deprecated legacy format; use port_mappings instead.")
		return nil, false
	}
	raw := make([]string, len(ports))
	for i, p := range ports {
		raw[i] = protocol + "/" + itoa(p)
	}
	norm, msg := normalizePortMappings(raw)
	if msg != "" {
		errs.add("ports", msg)
		return nil, false
	}
	return norm, true
}

// normalizePortMappings is validate_port_mappings: each mapping well formed, of a known
// protocol, in range and not repeated, returned in canonical form ("TCP/080" is "tcp/80").
func normalizePortMappings(mappings []string) ([]string, string) {
	seen := map[string]bool{}
	out := make([]string, 0, len(mappings))
	for _, m := range mappings {
		protocol, port, _ := strings.Cut(m, "/")
		if port == "" {
			return nil, fmt.Sprintf("Invalid port mapping '%s'. Expected format protocol/port (e.g. tcp/80).", m)
		}
		if !slices.Contains(serviceProtocols(), strings.ToLower(protocol)) {
			return nil, fmt.Sprintf("Invalid protocol: %s", protocol)
		}
		n, err := strconv.Atoi(port)
		if err != nil {
			return nil, fmt.Sprintf("Invalid port number: %s", port)
		}
		if n < 1 || n > 65535 {
			return nil, fmt.Sprintf("Port %d is not within the permitted range (1-65535).", n)
		}
		norm := strings.ToLower(protocol) + "/" + strconv.Itoa(n)
		if seen[norm] {
			return nil, fmt.Sprintf("Duplicate port mapping: %s", m)
		}
		seen[norm] = true
		out = append(out, norm)
	}
	return out, ""
}

// legacyProtocolAndPorts is legacy_protocol_and_ports: one protocol gives it and its ports,
// sorted; none gives no protocol and no ports; several give nulls.
func legacyProtocolAndPorts(mappings []string) (any, any) {
	if len(mappings) == 0 {
		return nil, []int64{}
	}
	protocol := ""
	var ports []int64
	for _, m := range mappings {
		p, port, _ := strings.Cut(m, "/")
		n, err := strconv.ParseInt(port, 10, 64)
		if (protocol != "" && p != protocol) || err != nil {
			return nil, nil
		}
		protocol = p
		ports = append(ports, n)
	}
	slices.Sort(ports)
	return protocol, ports
}

func toAnyList(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// nonNil is v's ports, or none.
func nonNil(v any) []int64 {
	ports, _ := v.([]int64)
	return ports
}
