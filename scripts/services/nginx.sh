# nginx and wrk for the load-balancer tests and benchmark (Debian `nginx`, `wrk`). Nothing is started
# here: each test and the benchmark run their own nginx (`nginx -c <generated conf> -p <dir>`) on
# 127.0.0.1 and stop it themselves. Debian's own nginx service (systemd) is never used.
PACKAGES=(nginx wrk)

service_start() { :; }

service_check() {
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || return 1
  command -v wrk >/dev/null 2>&1
}
