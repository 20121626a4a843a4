#!/bin/sh
# System tools the test suite uses besides Python packages:
#   promtool/prometheus (tests/ops: rules, config and every dashboard query against a real Prometheus)
#   stunnel4           (tests/security: TLS with client certificates in front of the embedded broker)
#   docker-compose     (tests/ops: `docker compose config` when the docker client has no compose plugin)
#   chromium           (tests/streams/indicators: the monthly indicator report opened headless, plots rendered)
#   npm + @asyncapi/specs (tests/schemas/test_asyncapi.py: the official AsyncAPI 3.0.0 JSON Schema,
#                      unpacked into .venv/share/asyncapi-specs/ from the npm registry at a pinned version)
# Installed from Debian when missing. Without root or apt the affected tests say why they cannot run.
set -eu
ASYNCAPI_SPECS_VERSION=6.11.1
fetch_asyncapi_specs() {
    dest=.venv/share/asyncapi-specs
    [ -f "$dest/$ASYNCAPI_SPECS_VERSION/schemas/3.0.0.json" ] && return 0
    command -v npm >/dev/null 2>&1 || { echo "note: npm missing; tests/schemas/test_asyncapi.py will say so" >&2; return 0; }
    tmp=$(mktemp -d)
    # npm verifies the tarball against the registry's integrity hash
    (cd "$tmp" && npm pack --silent "@asyncapi/specs@$ASYNCAPI_SPECS_VERSION" >/dev/null && tar xzf ./*.tgz)
    mkdir -p "$dest/$ASYNCAPI_SPECS_VERSION"
    cp -r "$tmp/package/schemas" "$tmp/package/package.json" "$dest/$ASYNCAPI_SPECS_VERSION/"
    rm -rf "$tmp"
}
need=""
command -v prometheus >/dev/null 2>&1 || need="$need prometheus"
command -v stunnel4 >/dev/null 2>&1 || command -v stunnel >/dev/null 2>&1 || need="$need stunnel4"
command -v openssl >/dev/null 2>&1 || need="$need openssl"
# `docker compose config` validates docker-compose.yml (tests/ops); the v2 plugin or Debian's v1
if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then
    need="$need docker-compose"
fi
command -v npm >/dev/null 2>&1 || need="$need npm"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
if [ -z "$need" ]; then fetch_asyncapi_specs; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "note: cannot install$need (needs root and apt-get); the tests that use them will report it" >&2
    fetch_asyncapi_specs
    exit 0
fi
echo "installing$need from Debian" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# --no-install-recommends keeps this to the binaries; prometheus' service is not started here
apt-get install -y -qq --no-install-recommends $need >/dev/null
fetch_asyncapi_specs
