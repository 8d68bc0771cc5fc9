# Shared helpers for Baton's provisioning scripts. Source it; do not run it.
# Everything here is idempotent: running it twice changes nothing the second time.

log() { printf '[baton] %s\n' "$*" >&2; }
die() { printf '[baton] error: %s\n' "$*" >&2; exit 1; }

# as_root CMD…: run as root (directly, or through sudo when available).
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1; then sudo "$@";
  else die "need root to run: $* (run as root, or install sudo)"; fi
}

# ensure_packages PKG…: install the Debian packages that are missing, nothing else.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install by hand: ${missing[*]}"
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
}

# wait_for DESCRIPTION SECONDS CMD…: poll CMD every 0.2 s until it succeeds.
wait_for() {
  local what=$1 secs=$2; shift 2
  local deadline=$(( $(date +%s) + secs ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -ge "$deadline" ] && die "$what did not become ready within ${secs}s"
    sleep 0.2
  done
}

BATON_STATE_DIR=${BATON_STATE_DIR:-/var/tmp/baton}
