# shellcheck shell=bash
# A throwaway PostgreSQL cluster on loopback, owned by the script that starts it.
#
# Source this file, then:
#   pg_throwaway_install   install Debian's postgresql package if initdb is missing (root only)
#   pg_throwaway_start     initdb into a new temp dir, start on a free port, create role
#                          lantai/lantai (LOGIN CREATEDB) and database lantai_test owned by it;
#                          sets PG_DIR, PG_PORT, PG_BIN, PG_URL (postgres://lantai:lantai@127.0.0.1:PORT/lantai_test?sslmode=disable)
#   pg_throwaway_createdb NAME   a new database owned by lantai; prints its URL
#   pg_throwaway_psql ARGS…      psql as the superuser over the cluster's socket
#   pg_throwaway_stop      stop the cluster (fast) and remove PG_DIR; safe to call twice, and
#                          from another process given only PG_DIR
#
# Port: LANTAI_TEST_PG_PORT (default 54329); when it is taken, the next free one is used.
# The cluster runs with fsync off: it is for tests and benchmarks, never for data you keep.
# Every function returns non-zero on failure without relying on `set -e`, so callers can
# use them in `if` and `||`.

# The newest installed server's bin directory, e.g. /usr/lib/postgresql/15/bin.
pg_throwaway_bindir() {
    local d best=""
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] || continue
        if [ -z "$best" ] || [ "$(basename "$(dirname "$d")" | sed 's/[^0-9].*//')" -gt \
                                "$(basename "$(dirname "$best")" | sed 's/[^0-9].*//')" ]; then
            best=$d
        fi
    done
    [ -n "$best" ] || return 1
    printf '%s\n' "$best"
}

pg_throwaway_install() {
    if pg_throwaway_bindir >/dev/null 2>&1 && command -v psql >/dev/null 2>&1; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "pg-throwaway: PostgreSQL is not installed and this is not root: install the 'postgresql' package" >&2
        return 1
    fi
    echo "==> installing PostgreSQL (Debian package postgresql)" >&2
    apt-get update || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql || return 1
    pg_throwaway_bindir >/dev/null || { echo "pg-throwaway: initdb not found after installing postgresql" >&2; return 1; }
}

# Runs a command as the cluster's owner: the postgres user when we are root (initdb refuses
# root), else the current user.
pg_throwaway_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# True when something accepts TCP connections on 127.0.0.1:$1.
pg_throwaway_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_throwaway_psql() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_throwaway_start() {
    if [ -n "${PG_DIR:-}" ] && [ -d "${PG_DIR:-}" ]; then
        echo "pg-throwaway: a cluster is already running in $PG_DIR" >&2
        return 1
    fi
    PG_BIN=$(pg_throwaway_bindir) || { echo "pg-throwaway: no PostgreSQL server found under /usr/lib/postgresql (run pg_throwaway_install)" >&2; return 1; }
    command -v psql >/dev/null 2>&1 || { echo "pg-throwaway: psql not found" >&2; return 1; }
    if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
        echo "pg-throwaway: running as root but there is no 'postgres' user to own the cluster" >&2
        return 1
    fi

    local port=${LANTAI_TEST_PG_PORT:-54329} tries=0
    while pg_throwaway_port_busy "$port"; do
        tries=$((tries + 1))
        if [ "$tries" -ge 50 ]; then echo "pg-throwaway: no free port from ${LANTAI_TEST_PG_PORT:-54329} on" >&2; return 1; fi
        port=$((port + 1))
    done

    PG_DIR=$(mktemp -d /tmp/lantai-pg.XXXXXX) || return 1
    PG_PORT=$port
    export PG_DIR PG_PORT PG_BIN
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$PG_DIR" || { pg_throwaway_stop; return 1; }
    fi
    chmod 700 "$PG_DIR"

    echo "==> starting a throwaway PostgreSQL ($("$PG_BIN/postgres" --version | sed 's/^postgres (PostgreSQL) //')) in $PG_DIR on 127.0.0.1:$PG_PORT" >&2
    if ! pg_throwaway_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -E UTF8 --locale=C \
            --auth-local=trust --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1; then
        echo "pg-throwaway: initdb failed:" >&2
        cat "$PG_DIR/initdb.log" >&2
        pg_throwaway_stop
        return 1
    fi
    if ! pg_throwaway_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $PG_DIR -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_connections=200" \
            start >/dev/null; then
        echo "pg-throwaway: the server did not start; its log:" >&2
        cat "$PG_DIR/server.log" >&2 2>/dev/null || true
        pg_throwaway_stop
        return 1
    fi
    if ! pg_throwaway_psql <<'SQL'
CREATE ROLE lantai LOGIN PASSWORD 'lantai' CREATEDB;
CREATE DATABASE lantai_test OWNER lantai;
SQL
    then
        echo "pg-throwaway: could not create the lantai role and database" >&2
        pg_throwaway_stop
        return 1
    fi
    PG_URL="postgres://lantai:lantai@127.0.0.1:$PG_PORT/lantai_test?sslmode=disable"
    export PG_URL
}

# pg_throwaway_createdb NAME: a new database owned by lantai; prints its URL.
pg_throwaway_createdb() {
    local name=$1
    [[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "pg-throwaway: bad database name '$name'" >&2; return 1; }
    pg_throwaway_psql -c "CREATE DATABASE $name OWNER lantai" || return 1
    printf 'postgres://lantai:lantai@127.0.0.1:%s/%s?sslmode=disable\n' "$PG_PORT" "$name"
}

pg_throwaway_stop() {
    local dir=${PG_DIR:-}
    [ -n "$dir" ] || return 0
    case $dir in
        /tmp/lantai-pg.*) ;;
        *) echo "pg-throwaway: refusing to remove '$dir' (not a throwaway cluster dir)" >&2; return 1 ;;
    esac
    if [ -f "$dir/data/postmaster.pid" ]; then
        local bin=${PG_BIN:-}
        [ -n "$bin" ] || bin=$(pg_throwaway_bindir) || true
        if [ -n "$bin" ]; then
            pg_throwaway_as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 \
                || echo "pg-throwaway: pg_ctl stop failed for $dir" >&2
        fi
        # Still there (no pg_ctl, or it failed): end that postmaster, by its own pid.
        if [ -f "$dir/data/postmaster.pid" ]; then
            local pid
            pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
                kill -QUIT "$pid" 2>/dev/null || true
                sleep 1
            fi
        fi
    fi
    rm -rf -- "$dir"
    unset PG_DIR PG_PORT PG_URL
    return 0
}
