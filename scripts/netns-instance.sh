#!/usr/bin/env bash
# Network namespaces standing in for separate hosts in the multi-host tests. Each is joined to the
# root namespace by a veth pair on a /30 of its own and reaches nothing else: no route beyond it.
#
#   bash scripts/netns-instance.sh create NAME N   # namespace NAME (bmh-*), link 10.251.N.1 (host) <-> 10.251.N.2 (inside)
#   bash scripts/netns-instance.sh cut NAME        # take the link down: the "host" is cut off
#   bash scripts/netns-instance.sh join NAME       # bring it back
#   bash scripts/netns-instance.sh destroy NAME    # remove the namespace and its link
#
# Only names starting with bmh- are accepted, so the script never touches another namespace.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

cmd=${1:-}; name=${2:-}
[[ "$name" =~ ^bmh-[a-z0-9]{1,6}$ ]] || die "namespace name must be bmh-<1-6 letters/digits> (got '$name')"
host_if="${name}-h"

case "$cmd" in
  create)
    n=${3:-}; [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "link number must be 1–99 (got '$n')"
    ip netns list | grep -qw "$name" || as_root ip netns add "$name"
    if ! ip link show "$host_if" >/dev/null 2>&1; then
      as_root ip link add "$host_if" type veth peer name eth0 netns "$name"
      as_root ip addr add "10.251.$n.1/30" dev "$host_if"
      as_root ip netns exec "$name" ip addr add "10.251.$n.2/30" dev eth0
    fi
    as_root ip link set "$host_if" up
    as_root ip netns exec "$name" ip link set lo up
    as_root ip netns exec "$name" ip link set eth0 up
    ;;
  cut) as_root ip link set "$host_if" down ;;
  join) as_root ip link set "$host_if" up ;;
  destroy)
    ip link show "$host_if" >/dev/null 2>&1 && as_root ip link del "$host_if"
    ip netns list | grep -qw "$name" && as_root ip netns del "$name"
    true
    ;;
  *) die "usage: netns-instance.sh create NAME N | cut NAME | join NAME | destroy NAME" ;;
esac
