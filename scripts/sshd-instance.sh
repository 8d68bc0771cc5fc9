#!/usr/bin/env bash
# A private sshd on loopback for tests of ssh:// engines. Never the system's sshd, never beyond 127.0.0.1.
#
#   bash scripts/sshd-instance.sh start DIR PORT DOCKER_HOST   # start it (idempotent)
#   bash scripts/sshd-instance.sh stop DIR                     # stop it
#
# DIR holds what the test generated: host_key (the server's key) and authorized_keys (the client's
# public key); the script writes sshd_config, sshd.pid and sshd.log there. Only key authentication
# is accepted. DOCKER_HOST is set for the sessions, so `docker system dial-stdio` (what an ssh://
# Docker client runs on the host) reaches that engine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

SSHD_BIN=${BATON_SSHD_BIN:-/usr/sbin/sshd}

sshd_pid() {
  local pidfile="$1/sshd.pid"
  [ -f "$pidfile" ] || return 1
  local pid; pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

port_answers() { { exec 4<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null && exec 4<&- 4>&-; }

start() {
  local dir=$1 port=$2 docker_host=$3
  [ -x "$SSHD_BIN" ] || die "$SSHD_BIN not found: install openssh-server (bash scripts/provision.sh sshd)"
  [ -s "$dir/host_key" ] || die "$dir/host_key missing"
  [ -s "$dir/authorized_keys" ] || die "$dir/authorized_keys missing"
  sshd_pid "$dir" >/dev/null && return 0
  # sshd's privilege separation directory.
  as_root mkdir -p /run/sshd
  cat >"$dir/sshd_config" <<CONFIG
ListenAddress 127.0.0.1:$port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
SetEnv DOCKER_HOST=$docker_host
CONFIG
  as_root "$SSHD_BIN" -f "$dir/sshd_config" -E "$dir/sshd.log"
  wait_for "sshd on 127.0.0.1:$port (see $dir/sshd.log)" 10 port_answers "$port"
}

stop() {
  local dir=$1 pid
  pid=$(sshd_pid "$dir") || return 0
  as_root kill -TERM "$pid"
}

case "${1:-}" in
  start) [ $# -eq 4 ] || die "usage: sshd-instance.sh start DIR PORT DOCKER_HOST"; start "$2" "$3" "$4" ;;
  stop) [ $# -eq 2 ] || die "usage: sshd-instance.sh stop DIR"; stop "$2" ;;
  *) die "usage: sshd-instance.sh start DIR PORT DOCKER_HOST | stop DIR" ;;
esac
