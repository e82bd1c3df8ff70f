// The IPv6 form of the exporter's probe: a Duplicate Address Detection Neighbor Solicitation
// (RFC 4862 5.4.2), from the unspecified address :: to the target's solicited-node group.
//
// Why this form and not an ordinary solicitation from one of this host's addresses: no host
// creates or updates a neighbour entry from a solicitation sent from :: (RFC 4861 7.2.3), so
// asking changes nobody's cache, and it works on an interface where this host has no address
// of the prefix. And a host holding the address must answer it with an advertisement to all
// nodes (ff02::1) carrying its link-layer address (RFC 4861 7.2.4), or it would let another
// node take the address: every holder answers, and every listener on the link hears them all.
#pragma once

#include "core/arp_probe.h"

namespace arp {

// ff02::1:ffXX:XXXX, the group a node joins for every address whose low 24 bits are XX:XXXX
// (RFC 4291 2.7.1): where solicitations for `address` are sent.
IpAddress solicited_node_group(const IpAddress& address);

// 33:33 and the low 32 bits of an IPv6 multicast address (RFC 2464 7).
MacAddress ipv6_multicast_mac(const IpAddress& group);

// A DAD solicitation from `source` for `target` (an IPv6 address), tagged as `vlan` says.
// It carries no source link-layer address option: one is forbidden from :: (RFC 4861 4.3).
ProbeFrame build_nd_probe(const MacAddress& source, Vlan vlan, const IpAddress& target);

}  // namespace arp
