# Docker engines for Baton's runtime tests: engine 1 (unix:///var/run/baton/docker.sock) and engine 2
# (unix:///var/run/baton/docker-2.sock), each with the busybox test image. Never a system dockerd:
# see scripts/docker-engine.sh for the layout and flags. Tests may start more engines (3…) themselves.
# socat: the FireLens test builds its log router (a unix-socket listener) from it.
PACKAGES=(docker.io busybox-static iproute2 socat)

_baton_engines=(1 2)

service_start() {
  local n
  for n in "${_baton_engines[@]}"; do bash "$here/docker-engine.sh" start "$n"; done
}

service_check() {
  local n
  for n in "${_baton_engines[@]}"; do bash "$here/docker-engine.sh" check "$n" || return 1; done
}
