#!/usr/bin/env bash
# Throwaway servers on loopback for OrmPerf's tests, demo and benchmarks:
# a PostgreSQL 15 primary, a streaming replica of it (pg_basebackup -R), Redis, PgBouncer in transaction mode in
# front of the primary, and a Redis Cluster of three masters (cluster1..cluster3, no replicas).
#
#   eng/services.sh up                  start what is not running, print the environment (idempotent)
#   eng/services.sh env                 print the environment of running servers
#   eng/services.sh down                stop everything and delete the state folder
#   eng/services.sh stop|start|restart primary|replica|redis|bouncer|cluster1|cluster2|cluster3|cluster|all
#   eng/services.sh promote replica     promote the replica to a primary (pg_ctl promote; a failover drill: stop
#                                       the primary first). The set is no longer primary+replica: `down` it afterwards
#   eng/services.sh status
#
# `up` and `env` print `export NAME=value` lines on stdout (use: eval "$(eng/services.sh up)");
# progress goes to stderr. The state lives in a temp folder keyed by the checkout's path, so two
# checkouts on one machine get separate servers; ORMPERF_SERVICES_DIR overrides it.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
state_dir=${ORMPERF_SERVICES_DIR:-${TMPDIR:-/tmp}/ormperf-services-$(printf '%s' "$repo_root" | cksum | cut -d' ' -f1)}
# Absolute: the postgres user's commands run from / (as_pg), where a relative path would point elsewhere.
case "$state_dir" in /*) ;; *) state_dir="$PWD/$state_dir" ;; esac
self="$repo_root/eng/services.sh"

log() { printf '[services] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

pg_bin_or_empty() {
  local dir
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    dir=$(pg_config --bindir)
  else
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  fi
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then printf '%s' "$dir"; fi
}

pg_bin() {
  local dir; dir=$(pg_bin_or_empty)
  [ -n "$dir" ] || die "PostgreSQL server binaries not found (install postgresql-15)"
  printf '%s' "$dir"
}

# PostgreSQL refuses to run as root: run its tools as the postgres user then, from / (a folder it can read): started
# from the caller's folder (say /root), each would first print "could not change directory ... Permission denied".
as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Ports are picked below Linux's ephemeral range (32768 and up by default), where no outgoing connection can take
# one between the check and the server's bind: servers 23000-29999; Redis Cluster nodes 20000-22767, whose cluster
# bus listens 10,000 higher (30000-32767), so both of a node's ports are outside it and never meet a server's.
pick_port() { # low high [bus offset] [taken ports...]
  local low=$1 high=$2 bus=$3 port; shift 3
  local taken=" ${*:-} "
  for _ in $(seq 1 200); do
    port=$((low + RANDOM % (high - low + 1)))
    case "$taken" in *" $port "*) continue ;; esac
    port_in_use "$port" && continue
    [ "$bus" = 0 ] || ! port_in_use $((port + bus)) || continue
    printf '%s' "$port"; return
  done
  die "no free loopback port found in $low-$high"
}

free_port() { pick_port 23000 29999 0 "$@"; }

free_cluster_port() { pick_port 20000 22767 10000 "$@"; }

# Debian's postgresql-15 holds the server, pg_stat_statements (preloaded below) and pgbench; its dependencies bring
# psql, pg_isready and pg_basebackup, and the postgres user.
ensure_postgres_installed() {
  [ -n "$(pg_bin_or_empty)" ] && return
  [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries are missing; install them (apt-get install postgresql-15) or run as root"
  log "installing postgresql-15 with apt"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15) >&2 \
    || die "apt-get install postgresql-15 failed"
  # Debian's package may create and start its own cluster on 5432; ours run on their own ports.
  { service postgresql stop || true; } >/dev/null 2>&1
}

ensure_redis_installed() {
  command -v redis-server >/dev/null 2>&1 && return
  [ "$(id -u)" = 0 ] || die "redis-server is missing; install it (apt-get install redis-server) or run as root"
  log "installing redis-server with apt"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2 \
    || die "apt-get install redis-server failed"
  # Debian's package may start its own instance on 6379; ours run on their own ports.
  { service redis-server stop || true; } >/dev/null 2>&1
}

ensure_pgbouncer_installed() {
  command -v pgbouncer >/dev/null 2>&1 && return
  [ "$(id -u)" = 0 ] || die "pgbouncer is missing; install it (apt-get install pgbouncer) or run as root"
  log "installing pgbouncer with apt"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer) >&2 \
    || die "apt-get install pgbouncer failed"
  # Debian's package may start its own instance on 6432; ours runs on its own port.
  { service pgbouncer stop || true; } >/dev/null 2>&1
}

# HypoPG (hypothetical indexes) lets the workload advisor verify its index candidates; without it they are unverified.
ensure_hypopg_installed() {
  local bin=$1 major share
  major=$("$bin/postgres" --version | sed -n 's/.* \([0-9][0-9]*\)\..*/\1/p')
  share=$("$bin/pg_config" --sharedir 2>/dev/null || echo "/usr/share/postgresql/$major")
  [ -f "$share/extension/hypopg.control" ] && return
  if [ "$(id -u)" != 0 ]; then log "warning: HypoPG is missing (apt-get install postgresql-$major-hypopg)"; return; fi
  log "installing postgresql-$major-hypopg with apt"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$major-hypopg") >&2 \
    || die "apt-get install postgresql-$major-hypopg failed"
}

read_ports() {
  [ -f "$state_dir/ports" ] || die "servers are not set up (run: eng/services.sh up)"
  # shellcheck disable=SC1091
  . "$state_dir/ports"
}

wait_until() { # command...: true once it succeeds, false after 30 s
  for _ in $(seq 1 150); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  return 1
}

wait_for() { # description, command...
  local what=$1; shift
  wait_until "$@" || die "$what did not become ready in 30 s"
}

wait_for_redis() { # description, port, log file: a Redis that did not start says why in its log, shown here
  wait_until redis-cli -h 127.0.0.1 -p "$2" ping && return
  tail -n 5 "$3" >&2 2>/dev/null || true
  die "$1 did not become ready in 30 s (its log above: $3)"
}

pg_running() { [ -f "$state_dir/$1/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$state_dir/$1" status >/dev/null 2>&1; }

pg_start() { # primary|replica
  local name=$1 port
  [ "$name" = primary ] && port=$PRIMARY_PORT || port=$REPLICA_PORT
  if pg_running "$name"; then return; fi
  as_pg "$(pg_bin)/pg_ctl" -D "$state_dir/$name" -l "$state_dir/$name.log" -w -t 60 start >/dev/null \
    || die "PostgreSQL $name failed to start (see $state_dir/$name.log)"
  wait_for "PostgreSQL $name" "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$port"
  log "PostgreSQL $name on 127.0.0.1:$port"
}

pg_stop() {
  local name=$1
  pg_running "$name" || return 0
  as_pg "$(pg_bin)/pg_ctl" -D "$state_dir/$name" -m fast -w -t 60 stop >/dev/null || true
  log "PostgreSQL $name stopped"
}

pg_promote() { # replica
  [ "$1" = replica ] || die "only the replica can be promoted (got '$1')"
  pg_running replica || die "the replica is not running"
  # -w: returns once the server has left recovery and accepts writes.
  as_pg "$(pg_bin)/pg_ctl" -D "$state_dir/replica" -w -t 60 promote >/dev/null || die "pg_ctl promote failed (see $state_dir/replica.log)"
  log "PostgreSQL replica promoted on 127.0.0.1:$REPLICA_PORT"
}

redis_running() { [ -f "$state_dir/redis.pid" ] && kill -0 "$(cat "$state_dir/redis.pid")" 2>/dev/null; }

redis_start() {
  redis_running && return
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
    --daemonize yes --pidfile "$state_dir/redis.pid" --logfile "$state_dir/redis.log" \
    --dir "$state_dir/redis" >/dev/null
  wait_for_redis "Redis" "$REDIS_PORT" "$state_dir/redis.log"
  log "Redis on 127.0.0.1:$REDIS_PORT"
}

redis_stop() {
  redis_running || return 0
  local pid; pid=$(cat "$state_dir/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$state_dir/redis.pid"
  log "Redis stopped"
}

# PgBouncer in transaction mode in front of the primary, trusting loopback like the primary does. It runs as the
# postgres user (it refuses root). Its port is added to the ports file when first needed, so state folders made
# before it existed get one too.
bouncer_config() {
  ensure_pgbouncer_installed
  if [ -z "${BOUNCER_PORT:-}" ]; then
    BOUNCER_PORT=$(free_port "$PRIMARY_PORT" "$REPLICA_PORT" "$REDIS_PORT")
    printf 'BOUNCER_PORT=%s\n' "$BOUNCER_PORT" >> "$state_dir/ports"
  fi
  mkdir -p "$state_dir/bouncer"
  printf '"postgres" ""\n' > "$state_dir/bouncer/userlist.txt"
  cat > "$state_dir/bouncer/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$PRIMARY_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $state_dir/bouncer/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
ignore_startup_parameters = extra_float_digits
pidfile = $state_dir/bouncer/pgbouncer.pid
logfile = $state_dir/bouncer/pgbouncer.log
EOF
  if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$state_dir/bouncer"; fi
}

bouncer_running() { [ -f "$state_dir/bouncer/pgbouncer.pid" ] && kill -0 "$(cat "$state_dir/bouncer/pgbouncer.pid")" 2>/dev/null; }

bouncer_start() {
  bouncer_running && return
  bouncer_config
  as_pg pgbouncer -d "$state_dir/bouncer/pgbouncer.ini" >/dev/null 2>&1 \
    || die "PgBouncer failed to start (see $state_dir/bouncer/pgbouncer.log)"
  wait_for "PgBouncer" "$(pg_bin)/pg_isready" -q -h 127.0.0.1 -p "$BOUNCER_PORT"
  log "PgBouncer (transaction mode) on 127.0.0.1:$BOUNCER_PORT"
}

bouncer_stop() {
  bouncer_running || return 0
  local pid; pid=$(cat "$state_dir/bouncer/pgbouncer.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  log "PgBouncer stopped"
}

# A Redis Cluster of three masters on loopback, each in its own folder (its nodes.conf survives a restart, so a stopped
# master rejoins with its slots). cluster-require-full-coverage is off: while one master is down, the slots of the
# others keep answering. Ports are added to the ports file when first needed.
cluster_dir() { printf '%s/cluster/%s' "$state_dir" "$1"; }

cluster_port() { case "$1" in cluster1) printf '%s' "$CLUSTER1_PORT" ;; cluster2) printf '%s' "$CLUSTER2_PORT" ;; cluster3) printf '%s' "$CLUSTER3_PORT" ;; esac; }

cluster_node_running() { [ -f "$(cluster_dir "$1")/redis.pid" ] && kill -0 "$(cat "$(cluster_dir "$1")/redis.pid")" 2>/dev/null; }

cluster_node_start() {
  cluster_node_running "$1" && return
  local dir port; dir=$(cluster_dir "$1"); port=$(cluster_port "$1")
  mkdir -p "$dir"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --cluster-enabled yes \
    --cluster-config-file nodes.conf --cluster-node-timeout 2000 --cluster-require-full-coverage no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
  wait_for_redis "Redis $1" "$port" "$dir/redis.log"
}

cluster_node_stop() {
  cluster_node_running "$1" || return 0
  local pid; pid=$(cat "$(cluster_dir "$1")/redis.pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$(cluster_dir "$1")/redis.pid"
  log "Redis $1 stopped"
}

cluster_ok() { redis-cli -h 127.0.0.1 -p "$CLUSTER1_PORT" cluster info 2>/dev/null | grep -q 'cluster_state:ok'; }

cluster_start() {
  ensure_redis_installed
  if [ -z "${CLUSTER1_PORT:-}" ]; then
    CLUSTER1_PORT=$(free_cluster_port)
    CLUSTER2_PORT=$(free_cluster_port "$CLUSTER1_PORT")
    CLUSTER3_PORT=$(free_cluster_port "$CLUSTER1_PORT" "$CLUSTER2_PORT")
    printf 'CLUSTER1_PORT=%s\nCLUSTER2_PORT=%s\nCLUSTER3_PORT=%s\n' "$CLUSTER1_PORT" "$CLUSTER2_PORT" "$CLUSTER3_PORT" >> "$state_dir/ports"
  fi
  local node
  for node in cluster1 cluster2 cluster3; do cluster_node_start "$node"; done
  if [ ! -f "$state_dir/cluster/created" ]; then
    redis-cli --cluster create "127.0.0.1:$CLUSTER1_PORT" "127.0.0.1:$CLUSTER2_PORT" "127.0.0.1:$CLUSTER3_PORT" \
      --cluster-replicas 0 --cluster-yes >/dev/null 2>&1 || die "redis-cli --cluster create failed"
    touch "$state_dir/cluster/created"
  fi
  wait_for "Redis Cluster" cluster_ok
  log "Redis Cluster on 127.0.0.1:$CLUSTER1_PORT,$CLUSTER2_PORT,$CLUSTER3_PORT"
}

cluster_stop() { local node; for node in cluster3 cluster2 cluster1; do cluster_node_stop "$node"; done; }

create_servers() {
  local bin primary replica redis
  ensure_postgres_installed
  bin=$(pg_bin)
  ensure_redis_installed
  primary=$(free_port); replica=$(free_port "$primary"); redis=$(free_port "$primary" "$replica")
  mkdir -p "$state_dir/redis"
  printf 'PRIMARY_PORT=%s\nREPLICA_PORT=%s\nREDIS_PORT=%s\n' "$primary" "$replica" "$redis" > "$state_dir/ports.tmp"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$state_dir"
  chmod 755 "$state_dir"

  log "initdb in $state_dir/primary"
  as_pg "$bin/initdb" -D "$state_dir/primary" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >> "$state_dir/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $primary
unix_socket_directories = '$state_dir'
max_connections = 300
shared_buffers = 256MB
wal_level = replica
max_wal_senders = 10
wal_keep_size = 512MB
hot_standby = on
hot_standby_feedback = on
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
track_io_timing = on
EOF
  cat > "$state_dir/primary/pg_hba.conf" <<'EOF'
local   all          all                 trust
host    all          all   127.0.0.1/32  trust
host    replication  all   127.0.0.1/32  trust
EOF
  mv "$state_dir/ports.tmp" "$state_dir/ports"
  read_ports
  pg_start primary
  as_pg "$bin/psql" -q -h 127.0.0.1 -p "$primary" -U postgres -d postgres -c "CREATE DATABASE ormperf" >/dev/null
  as_pg "$bin/psql" -q -h 127.0.0.1 -p "$primary" -U postgres -d ormperf -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
  ensure_hypopg_installed "$bin"
  as_pg "$bin/psql" -q -h 127.0.0.1 -p "$primary" -U postgres -d ormperf -c "CREATE EXTENSION IF NOT EXISTS hypopg" >/dev/null || true

  log "pg_basebackup -R into $state_dir/replica"
  as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$state_dir/replica" -R -X stream -c fast >/dev/null
  printf "port = %s\nunix_socket_directories = '%s'\n" "$replica" "$state_dir" >> "$state_dir/replica/postgresql.conf"
  pg_start replica
  redis_start
  bouncer_start
  cluster_start
}

print_env() {
  read_ports
  cat <<EOF
export ORMPERF_PG_PRIMARY='Host=127.0.0.1;Port=$PRIMARY_PORT;Username=postgres;Database=ormperf'
export ORMPERF_PG_REPLICA='Host=127.0.0.1;Port=$REPLICA_PORT;Username=postgres;Database=ormperf'
export ORMPERF_REDIS='127.0.0.1:$REDIS_PORT'
export ORMPERF_REDIS_CLUSTER='127.0.0.1:${CLUSTER1_PORT:-0},127.0.0.1:${CLUSTER2_PORT:-0},127.0.0.1:${CLUSTER3_PORT:-0}'
export ORMPERF_PG_BOUNCER='Host=127.0.0.1;Port=${BOUNCER_PORT:-0};Username=postgres;Database=ormperf;No Reset On Close=true;Max Auto Prepare=0'
export ORMPERF_SERVICES_DIR='$state_dir'
export ORMPERF_SERVICES_CONTROL='$self'
EOF
}

for_each() { # action target
  local action=$1 target=$2
  case "$target" in
    primary|replica) "pg_$action" "$target" ;;
    redis) "redis_$action" ;;
    bouncer) "bouncer_$action" ;;
    cluster) "cluster_$action" ;;
    cluster1|cluster2|cluster3)
      "cluster_node_$action" "$target"
      if [ "$action" = start ]; then wait_for "Redis Cluster" cluster_ok; fi ;;
    all)
      if [ "$action" = stop ]; then cluster_stop; bouncer_stop; redis_stop; pg_stop replica; pg_stop primary
      else pg_start primary; pg_start replica; redis_start; bouncer_start; cluster_start; fi ;;
    *) die "unknown server '$target' (expected primary, replica, redis, bouncer, cluster, cluster1..3 or all)" ;;
  esac
}

command=${1:-}
case "$command" in
  up)
    if [ -f "$state_dir/ports" ]; then
      read_ports
      for_each start all
    else
      rm -rf "$state_dir"
      mkdir -p "$state_dir"
      create_servers
    fi
    print_env
    ;;
  env) print_env ;;
  down)
    if [ -f "$state_dir/ports" ]; then read_ports; for_each stop all; fi
    rm -rf "$state_dir"
    ;;
  stop|start)
    read_ports
    for_each "$command" "${2:?usage: services.sh $command primary|replica|redis|bouncer|cluster|cluster1|cluster2|cluster3|all}"
    ;;
  promote)
    read_ports
    pg_promote "${2:?usage: services.sh promote replica}"
    ;;
  restart)
    read_ports
    for_each stop "${2:?usage: services.sh restart primary|replica|redis|bouncer|cluster|cluster1|cluster2|cluster3|all}"
    for_each start "$2"
    ;;
  status)
    read_ports
    pg_running primary && echo "primary: up ($PRIMARY_PORT)" || echo "primary: down"
    pg_running replica && echo "replica: up ($REPLICA_PORT)" || echo "replica: down"
    redis_running && echo "redis: up ($REDIS_PORT)" || echo "redis: down"
    bouncer_running && echo "bouncer: up (${BOUNCER_PORT:-})" || echo "bouncer: down"
    for node in cluster1 cluster2 cluster3; do
      cluster_node_running "$node" && echo "$node: up ($(cluster_port "$node"))" || echo "$node: down"
    done
    ;;
  *)
    echo "usage: eng/services.sh up|env|down|status|stop NAME|start NAME|restart NAME|promote replica" >&2
    exit 2
    ;;
esac
