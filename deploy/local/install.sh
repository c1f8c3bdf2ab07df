#!/bin/sh
# Debian's redis-server, postgresql and nginx for the multi-instance set-up, installed
# only if missing, and never started as system services: the project starts its own
# instances on 127.0.0.1 (tools/scaleout.py).
set -e
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "The multi-instance set-up needs:$missing. Install them as root with" >&2
  echo "  apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
# Keep the packages' own services from starting (and listening beyond loopback).
own_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  own_policy=yes
fi
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
[ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
exit 0
