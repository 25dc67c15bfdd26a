# Shared by the CI scripts that start the service: source it, then
#   start_service LOG [flags…]   (COLLABDOCS_* settings from the environment; sets SERVER)
#   no_panic LOG                 (fails if the service logged a panic)

start_service() {
    local log=$1 port=${COLLABDOCS_BIND##*:}
    shift
    ./target/debug/collabdocs serve "$@" > "$log" 2>&1 &
    SERVER=$!
    for _ in $(seq 1 100); do
        curl -fsS "http://127.0.0.1:$port/readyz" > /dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "the service did not become ready; its log:" >&2
    cat "$log" >&2
    return 1
}

no_panic() {
    if grep -q "panicked" "$1"; then
        echo "the service logged a panic:" >&2
        grep -B2 -A5 panicked "$1" >&2
        return 1
    fi
}
