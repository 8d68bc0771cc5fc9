#!/usr/bin/env bash
# Installs and starts the local services Baton's tests and demo need.
#   bash scripts/provision.sh            # every service under scripts/services/
#   bash scripts/provision.sh NAME…      # only these
# Each scripts/services/NAME.sh defines:
#   PACKAGES=(…)          Debian packages it needs
#   service_start         start it if it is not running (idempotent)
#   service_check         exit 0 when it answers
# Safe to run any number of times; a running service is left alone.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/services/*.sh; do [ -e "$f" ] && names+=("$(basename "$f" .sh)"); done
fi
[ ${#names[@]} -eq 0 ] && { log "no local services to provision"; exit 0; }

for name in "${names[@]}"; do
  f="$here/services/$name.sh"
  [ -f "$f" ] || die "unknown service '$name' (no $f)"
  (
    PACKAGES=()
    . "$f"
    ensure_packages "${PACKAGES[@]}"
    if service_check; then log "$name: already running"; else log "$name: starting"; service_start; fi
  )
done
