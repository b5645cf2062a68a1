#!/usr/bin/env bash
# Shared set-up for scripts/run, scripts/test and scripts/bench: installs what is missing
# (Debian's packages), then starts Redis, the Docker engine and a local image registry
# when they are not already running. Idempotent: safe to source again and again.
set -euo pipefail

DRAY_STATE_DIR=${DRAY_STATE_DIR:-/var/tmp/dray-dev}
REDIS_PORT_NUMBER=${REDIS_PORT_NUMBER:-6379}
REGISTRY_ADDR=${REGISTRY_ADDR:-127.0.0.1:5000}
mkdir -p "$DRAY_STATE_DIR"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

install_missing() {
  local missing=()
  command -v java >/dev/null || missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || missing+=(maven)
  command -v redis-server >/dev/null || missing+=(redis-server)
  # The failover test runs three sentinels.
  command -v redis-sentinel >/dev/null || missing+=(redis-sentinel)
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  # The test images are FROM scratch: their busybox must be the static build.
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v curl >/dev/null || missing+=(curl)
  # The TLS tests make their certificates with it.
  command -v openssl >/dev/null || missing+=(openssl)
  # htpasswd, for the tests' registry that asks for a user and password.
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  # For the container tests: the Java base image is built from Debian's packages, compose is Debian's.
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  # The dashboard's tests drive Debian's Chromium headless through its WebDriver (never a downloaded driver).
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
}

start_redis() {
  if redis-cli -h 127.0.0.1 -p "$REDIS_PORT_NUMBER" ping >/dev/null 2>&1; then return; fi
  echo "setup: starting redis-server on 127.0.0.1:$REDIS_PORT_NUMBER"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT_NUMBER" --daemonize yes \
    --save "" --appendonly no --dir "$DRAY_STATE_DIR" --logfile "$DRAY_STATE_DIR/redis.log"
  wait_for "redis" redis-cli -h 127.0.0.1 -p "$REDIS_PORT_NUMBER" ping
}

start_docker() {
  if docker info >/dev/null 2>&1; then return; fi
  echo "setup: starting dockerd (no bridge, no iptables: containers get loopback only)"
  # setsid: the engine must outlive the script that started it.
  as_root setsid dockerd --iptables=false --ip-masq=false --bridge=none \
    >"$DRAY_STATE_DIR/dockerd.log" 2>&1 < /dev/null &
  wait_for "docker engine" docker info
}

start_registry() {
  if curl -fsS "http://$REGISTRY_ADDR/v2/" >/dev/null 2>&1; then return; fi
  echo "setup: starting docker-registry on $REGISTRY_ADDR"
  mkdir -p "$DRAY_STATE_DIR/registry"
  cat >"$DRAY_STATE_DIR/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $DRAY_STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
YML
  setsid docker-registry serve "$DRAY_STATE_DIR/registry.yml" \
    >"$DRAY_STATE_DIR/registry.log" 2>&1 < /dev/null &
  wait_for "registry" curl -fsS "http://$REGISTRY_ADDR/v2/"
}

wait_for() {
  local what=$1; shift
  for _ in $(seq 1 120); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "setup: $what did not come up; see $DRAY_STATE_DIR" >&2
  return 1
}

setup_all() {
  install_missing
  start_redis
  start_docker
  start_registry
}

# Dray's class-data archive for a faster start (scripts/class-archive), made again whenever the jar is newer.
ensure_class_archive() {
  if [ ! -s target/dray.jsa ] || [ target/dray.jar -nt target/dray.jsa ]; then
    echo "setup: making the class-data archive target/dray.jsa (a training start of Dray)"
    scripts/class-archive target/dray.jar target/dray.jsa config.yml
  fi
}
