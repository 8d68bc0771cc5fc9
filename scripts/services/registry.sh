# The OCI registry for the registry-client tests and benchmark: Debian's docker-registry (CNCF
# distribution) on 127.0.0.1:5000 with htpasswd basic auth (see scripts/registry-instance.sh).
# skopeo is the benchmark's yardstick; openssl makes the token-auth test's key and certificate
# (that registry is started by the test suite itself, which runs its token server).
PACKAGES=(docker-registry skopeo apache2-utils openssl)

service_start() { bash "$here/registry-instance.sh" start; }

service_check() { bash "$here/registry-instance.sh" check; }
