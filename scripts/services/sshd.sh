# OpenSSH's server and client for the ssh:// engine tests. Nothing runs until a test starts its own
# sshd on loopback with keys it generates (scripts/sshd-instance.sh); the system's sshd is never used.
PACKAGES=(openssh-server openssh-client)

service_start() { :; }

service_check() { [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null; }
