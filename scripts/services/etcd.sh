# etcd for the etcd store backend and leader election: Debian's etcd-server as a single member on
# 127.0.0.1:2379 (see scripts/etcd-instance.sh); etcd-client brings etcdctl for the health check.
PACKAGES=(etcd-server etcd-client)

service_start() { bash "$here/etcd-instance.sh" start; }

service_check() { bash "$here/etcd-instance.sh" check; }
