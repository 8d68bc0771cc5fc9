#!/usr/bin/env bash
# Baton's own Docker engines: one dockerd per container instance, side by side on one machine.
#
#   bash scripts/docker-engine.sh start N     # start engine N (idempotent) and import the test image
#   bash scripts/docker-engine.sh stop N      # stop engine N's dockerd; with live-restore its containers keep running
#   bash scripts/docker-engine.sh destroy N   # remove every container of engine N, stop it and its containerd
#   bash scripts/docker-engine.sh check N     # exit 0 when engine N answers and has the test image
#   bash scripts/docker-engine.sh host N      # print engine N's DOCKER_HOST (unix://…)
#   BATON_DOCKER_LIVE_RESTORE=0 bash scripts/docker-engine.sh start N   # without --live-restore (for Swarm)
#   BATON_DOCKER_TLS_DIR=DIR BATON_DOCKER_TLS_ADDRS=127.0.0.1:P[,127.0.0.2:P] bash scripts/docker-engine.sh start N
#       also serve the API over TCP with mutual TLS (--tlsverify): DIR holds ca.pem, server-cert.pem and
#       server-key.pem; loopback addresses only. `start` leaves a running engine alone: destroy it
#       first to change its certificates.
#
# Engine N never shares state with another engine or with a system dockerd:
#   socket     /var/run/baton/docker.sock (N=1), /var/run/baton/docker-N.sock (N>1)
#   exec-root  /var/run/baton/engine-N       pidfile /var/run/baton/docker-N.pid
#   data-root  $BATON_STATE_DIR/docker-N     log     $BATON_STATE_DIR/docker-N.log
#   bridge     baton-dN, 172.29.N.1/24       (its own bridge, so no engine touches docker0)
# Published ports bind to 127.0.0.1 (--ip) and are served by docker-proxy, so the engines leave the
# host's iptables alone (--iptables=false). live-restore keeps containers running while a daemon is
# down, which is what an agent reconnecting to an engine must cope with. Each engine has its own
# containerd namespace, so engines never see each other's containers even when dockerd finds a system
# containerd (/run/containerd/containerd.sock) and uses it instead of starting its own.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

BATON_DOCKER_RUN_DIR=${BATON_DOCKER_RUN_DIR:-/var/run/baton}
BATON_DOCKER_SUBNET_PREFIX=${BATON_DOCKER_SUBNET_PREFIX:-172.29}
BATON_TEST_IMAGE=${BATON_TEST_IMAGE:-baton-test/busybox:1}
DOCKER_CLI=${BATON_DOCKER_CLI:-/usr/bin/docker}
[ -x "$DOCKER_CLI" ] || DOCKER_CLI=docker

engine_socket() { if [ "$1" = 1 ]; then echo "$BATON_DOCKER_RUN_DIR/docker.sock"; else echo "$BATON_DOCKER_RUN_DIR/docker-$1.sock"; fi; }
engine_exec_root() { echo "$BATON_DOCKER_RUN_DIR/engine-$1"; }
engine_pidfile() { echo "$BATON_DOCKER_RUN_DIR/docker-$1.pid"; }
engine_data_root() { echo "$BATON_STATE_DIR/docker-$1"; }
engine_log() { echo "$BATON_STATE_DIR/docker-$1.log"; }
engine_bridge() { echo "baton-d$1"; }
engine_cli() { "$DOCKER_CLI" -H "unix://$(engine_socket "$1")" "${@:2}"; }

engine_answers() { engine_cli "$1" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

dockerd_pid() {
  local pidfile; pidfile=$(engine_pidfile "$1")
  [ -f "$pidfile" ] || return 1
  local pid; pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

ensure_bridge() {
  local n=$1 br; br=$(engine_bridge "$n")
  if ! ip link show "$br" >/dev/null 2>&1; then
    as_root ip link add name "$br" type bridge
    as_root ip addr add "$BATON_DOCKER_SUBNET_PREFIX.$n.1/24" dev "$br"
  fi
  as_root ip link set "$br" up
}

# The test image: Debian's static busybox with a symlink per applet, and a page for httpd to serve.
build_rootfs_tar() {
  local tar="$BATON_STATE_DIR/busybox-rootfs.tar"
  [ -s "$tar" ] && { echo "$tar"; return; }
  local busybox; busybox=$(dpkg -L busybox-static | grep 'bin/busybox$' | head -n1)
  [ -x "$busybox" ] || die "busybox-static is not installed (no bin/busybox)"
  local root; root=$(mktemp -d)
  mkdir -p "$root"/{bin,etc,tmp,proc,sys,dev,www,var/run}
  cp "$busybox" "$root/bin/busybox"
  local applet
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n' >"$root/etc/group"
  echo 'baton' >"$root/www/index.html"
  chmod 1777 "$root/tmp"
  mkdir -p "$BATON_STATE_DIR"
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$tar.tmp" .
  mv "$tar.tmp" "$tar"
  rm -rf "$root"
  echo "$tar"
}

ensure_test_image() {
  local n=$1
  engine_cli "$n" image inspect "$BATON_TEST_IMAGE" >/dev/null 2>&1 && return 0
  local tar; tar=$(build_rootfs_tar)
  engine_cli "$n" import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' "$tar" "$BATON_TEST_IMAGE" >/dev/null
  log "engine $n: imported $BATON_TEST_IMAGE"
}

start_engine() {
  local n=$1
  if ! engine_answers "$n"; then
    local sock exec_root data_root pidfile logf
    sock=$(engine_socket "$n"); exec_root=$(engine_exec_root "$n"); data_root=$(engine_data_root "$n")
    pidfile=$(engine_pidfile "$n"); logf=$(engine_log "$n")
    as_root mkdir -p "$BATON_DOCKER_RUN_DIR" "$exec_root" "$data_root"
    ensure_bridge "$n"
    # A dockerd that died uncleanly leaves its pidfile and socket behind; both would stop a new one.
    dockerd_pid "$n" >/dev/null || as_root rm -f "$pidfile" "$sock"
    # BATON_DOCKER_LIVE_RESTORE=0 leaves it off: Docker Swarm (the converge benchmark's baseline) refuses it.
    local live_restore=--live-restore
    [ "${BATON_DOCKER_LIVE_RESTORE:-1}" = 0 ] && live_restore=
    local tls_flags=() addr
    if [ -n "${BATON_DOCKER_TLS_DIR:-}" ]; then
      local tls_dir=$BATON_DOCKER_TLS_DIR
      for f in ca.pem server-cert.pem server-key.pem; do [ -s "$tls_dir/$f" ] || die "engine $n: $tls_dir/$f missing"; done
      tls_flags=(--tlsverify --tlscacert "$tls_dir/ca.pem" --tlscert "$tls_dir/server-cert.pem" --tlskey "$tls_dir/server-key.pem")
      IFS=, read -r -a addrs <<<"${BATON_DOCKER_TLS_ADDRS:?BATON_DOCKER_TLS_ADDRS (127.0.0.1:PORT) is needed with BATON_DOCKER_TLS_DIR}"
      for addr in "${addrs[@]}"; do
        [[ "$addr" =~ ^127\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+$ ]] || die "engine $n: TLS address $addr is not a loopback address:port"
        tls_flags+=(-H "tcp://$addr")
      done
    fi
    if ! dockerd_pid "$n" >/dev/null; then
      log "engine $n: starting dockerd on unix://$sock${BATON_DOCKER_TLS_DIR:+ and TLS on $BATON_DOCKER_TLS_ADDRS} (log: $logf)"
      as_root setsid nohup dockerd \
        -H "unix://$sock" "${tls_flags[@]}" --exec-root "$exec_root" --data-root "$data_root" --pidfile "$pidfile" \
        --bridge "$(engine_bridge "$n")" --ip 127.0.0.1 --iptables=false --ip-masq=false \
        --containerd-namespace "baton-$n" --containerd-plugins-namespace "baton-$n-plugins" \
        $live_restore --log-level warn >>"$logf" 2>&1 </dev/null &
    fi
    wait_for "docker engine $n (unix://$sock; see $logf)" 60 engine_answers "$n"
  fi
  ensure_test_image "$n"
}

stop_engine() {
  local n=$1 pid
  pid=$(dockerd_pid "$n") || { log "engine $n: not running"; return 0; }
  as_root kill -TERM "$pid"
  local deadline=$(( $(date +%s) + 30 ))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && { as_root kill -KILL "$pid" 2>/dev/null || true; break; }
    sleep 0.1
  done
  log "engine $n: dockerd stopped"
}

destroy_engine() {
  local n=$1
  if engine_answers "$n"; then
    local ids; ids=$(engine_cli "$n" ps -aq)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || engine_cli "$n" rm -f $ids >/dev/null
  fi
  stop_engine "$n"
  # dockerd leaves its own containerd running under live-restore; it is ours to stop.
  local cpid; cpid=$(cat "$(engine_exec_root "$n")/containerd/containerd.pid" 2>/dev/null || true)
  if [ -n "$cpid" ] && kill -0 "$cpid" 2>/dev/null; then as_root kill -TERM "$cpid" || true; fi
  # dockerd bind-mounts its data-root onto itself (private propagation) and leaves the mount behind.
  local data_root; data_root=$(engine_data_root "$n")
  if mountpoint -q "$data_root" 2>/dev/null; then as_root umount "$data_root" || true; fi
}

cmd=${1:-}; n=${2:-1}
[[ "$n" =~ ^[1-9][0-9]?$ ]] || die "engine number must be 1–99 (got '$n')"
case "$cmd" in
  start) start_engine "$n" ;;
  stop) stop_engine "$n" ;;
  destroy) destroy_engine "$n" ;;
  check) engine_answers "$n" && engine_cli "$n" image inspect "$BATON_TEST_IMAGE" >/dev/null 2>&1 ;;
  host) echo "unix://$(engine_socket "$n")" ;;
  *) die "usage: docker-engine.sh start|stop|destroy|check|host N" ;;
esac
