#!/usr/bin/env bash
# Baton's etcd: Debian's etcd-server as a single-member cluster on loopback, for the etcd store
# backend, leader election and their tests. Never Debian's systemd unit (CI has no systemd).
#
#   bash scripts/etcd-instance.sh start    # start it (idempotent)
#   bash scripts/etcd-instance.sh check    # exit 0 when it answers a health check
#   bash scripts/etcd-instance.sh stop     # stop it (data is kept)
#   bash scripts/etcd-instance.sh env      # print BATON_ETCD_ENDPOINTS for the tests and bench
#
# Layout under $BATON_STATE_DIR/etcd: data/, etcd.log, etcd.pid. Clients on 127.0.0.1:2379, peers
# on 127.0.0.1:2380 (BATON_ETCD_CLIENT_PORT / BATON_ETCD_PEER_PORT move them). Tests that stop or
# restart etcd start their own members on other ports (packages/store/test/etcd/etcd-process.ts);
# they never touch this one.
#
# Flags beyond the defaults, and why:
#   --max-txn-ops 10000          a store commit is one etcd transaction: one op per object written,
#                                plus one compare per object read (etcd's default allows 128)
#   --max-request-bytes 10 MiB   large commits (a service's whole task set) fit in one request
#   --auto-compaction-*          keep one hour of history: enough for watches to resume after a
#                                restart, bounded disk use; older resumes get "compacted, re-list"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

ETCD_BIN=${BATON_ETCD_BIN:-/usr/bin/etcd}
ETCDCTL_BIN=${BATON_ETCDCTL_BIN:-/usr/bin/etcdctl}
client_port=${BATON_ETCD_CLIENT_PORT:-2379}
peer_port=${BATON_ETCD_PEER_PORT:-2380}
endpoint="http://127.0.0.1:$client_port"
dir="$BATON_STATE_DIR/etcd"
[ "$client_port" = 2379 ] || dir="$BATON_STATE_DIR/etcd-$client_port"
pidfile="$dir/etcd.pid"

etcd_pid() {
  [ -f "$pidfile" ] || return 1
  local pid; pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { ETCDCTL_API=3 "$ETCDCTL_BIN" --endpoints="$endpoint" --dial-timeout=2s --command-timeout=3s endpoint health >/dev/null 2>&1; }

port_taken() { { exec 4<>"/dev/tcp/127.0.0.1/$client_port"; } 2>/dev/null && exec 4<&- 4>&-; }

# Ours: our pidfile's process is alive and the member answers.
ours() { etcd_pid >/dev/null && answers; }

start() {
  [ -x "$ETCD_BIN" ] || die "$ETCD_BIN not found: install Debian's etcd-server (bash scripts/provision.sh etcd)"
  if ours; then return 0; fi
  if ! etcd_pid >/dev/null && port_taken; then
    # Debian's packaged service (/etc/init.d/etcd: default flags, 128 ops per transaction) may hold it.
    if [ "$client_port" = 2379 ] && [ -x /etc/init.d/etcd ] && /etc/init.d/etcd status >/dev/null 2>&1; then
      log "etcd: stopping Debian's etcd service, which holds the port"
      as_root /etc/init.d/etcd stop >/dev/null 2>&1 || true
      sleep 0.5
    fi
    port_taken && die "127.0.0.1:$client_port is taken by a process that is not Baton's etcd; stop it or set BATON_ETCD_CLIENT_PORT"
  fi
  mkdir -p "$dir"
  if ! etcd_pid >/dev/null; then
    log "etcd: starting on $endpoint (log: $dir/etcd.log)"
    setsid "$ETCD_BIN" --name baton --data-dir "$dir/data" \
      --listen-client-urls "$endpoint" --advertise-client-urls "$endpoint" \
      --listen-peer-urls "http://127.0.0.1:$peer_port" \
      --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
      --initial-cluster "baton=http://127.0.0.1:$peer_port" --initial-cluster-state new \
      --max-txn-ops 10000 --max-request-bytes 10485760 \
      --auto-compaction-mode periodic --auto-compaction-retention 1h \
      --log-level warn --logger zap >>"$dir/etcd.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
  fi
  wait_for "etcd on $endpoint (log: $dir/etcd.log)" 30 answers
  log "etcd: member on $endpoint (pid $(cat "$pidfile"))"
}

stop() {
  local pid
  pid=$(etcd_pid) || { log "etcd: not running"; return 0; }
  kill -TERM "$pid"
  local deadline=$(( $(date +%s) + 15 ))
  while kill -0 "$pid" 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && { kill -KILL "$pid" 2>/dev/null || true; break; }
    sleep 0.1
  done
  rm -f "$pidfile"
  log "etcd: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  check) ours ;;
  env) printf 'BATON_ETCD_ENDPOINTS=%s\n' "$endpoint" ;;
  *) die "usage: etcd-instance.sh start|stop|check|env" ;;
esac
