#!/bin/sh
# System tools the test suite uses besides Python packages:
#   promtool/prometheus (tests/ops: rules, config and every dashboard query against a real Prometheus)
#   stunnel4           (tests/security: TLS with client certificates in front of the embedded broker)
#   docker-compose     (tests/ops: `docker compose config` when the docker client has no compose plugin)
# Installed from Debian when missing. Without root or apt the affected tests say why they cannot run.
set -eu
need=""
command -v prometheus >/dev/null 2>&1 || need="$need prometheus"
command -v stunnel4 >/dev/null 2>&1 || command -v stunnel >/dev/null 2>&1 || need="$need stunnel4"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
# `docker compose config` validates docker-compose.yml (tests/ops); the v2 plugin or Debian's v1
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
    need="$need docker-compose"
fi
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: cannot install$need (needs root and apt-get); the tests that use them will report it" >&2
    exit 0
fi
echo "installing$need from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# --no-install-recommends keeps this to the binaries; prometheus' service is not started here
apt-get install -y -qq --no-install-recommends $need >/dev/null
