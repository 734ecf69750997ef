#!/usr/bin/env bash
# Runs the benchmark suite of docs/benchmarks.md: every scenario against a fresh server process
# (so no run inherits another's topics, sessions or heap), with --server-pid sampling.
#
#   loadtest/run-benchmarks.sh [SERVER_JAR] [PORT] [OUT_DIR]
#
# Defaults: server/target/slipstream.jar, port 18190, ./loadtest-results/bench-<time>.
# Each scenario leaves OUT_DIR/<name>/{result.json,report.html}, OUT_DIR/<name>.txt (the table)
# and OUT_DIR/<name>.server.log; OUT_DIR/log.txt has start and end times with the load average.
# With SOAK_SECONDS set (e.g. 1800), a soak of that many seconds runs last (docs/benchmarks.md,
# "Soak"); it is off by default because it is long.
# Needs: java 17, curl. Builds nothing: run `mvn -B package -DskipTests` first.
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
JAR="${1:-$HERE/../server/target/slipstream.jar}"
PORT="${2:-18190}"
OUT="${3:-./loadtest-results/bench-$(date +%Y%m%d-%H%M%S)}"
LT="$HERE/target/slipstream-loadtest.jar"
[ -f "$JAR" ] || { echo "no server jar at $JAR" >&2; exit 2; }
[ -f "$LT" ] || { echo "no $LT: mvn -B -pl loadtest package" >&2; exit 2; }
mkdir -p "$OUT"

run() {
  local name=$1; shift
  java -jar "$JAR" --port "$PORT" --host 127.0.0.1 > "$OUT/$name.server.log" 2>&1 &
  local spid=$!
  local up=no
  for _ in $(seq 1 150); do
    if [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health")" = 200 ]; then up=yes; break; fi
    sleep 0.2
  done
  echo "== $name $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg) server=$up" | tee -a "$OUT/log.txt"
  if [ "$up" = yes ]; then
    timeout "${RUN_TIMEOUT:-900}" java -jar "$LT" "$@" --url "http://127.0.0.1:$PORT" --server-pid "$spid" \
      --out "$OUT/$name" --quiet > "$OUT/$name.txt" 2>&1
    echo "   exit $? $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/log.txt"
  fi
  kill "$spid" 2>/dev/null
  wait "$spid" 2>/dev/null
}

run fanout        fanout --clients 100 --rate 1000 --duration 45 --warmup 15
run fanout-batch  fanout --batch --clients 100 --rate 1000 --duration 45 --warmup 15
run fanout-sockjs fanout --transport sockjs --clients 100 --rate 1000 --duration 45 --warmup 15
run fanout-1k     fanout --clients 1000 --rate 100 --duration 45 --warmup 15
run saturate      saturate --clients 100 --rate 500 --step-factor 1.5 --step-seconds 8 --warmup 15
run slow-baseline slow --clients 50 --slow 0 --rate 2000 --duration 45 --warmup 15
run slow          slow --clients 50 --slow 5 --rate 2000 --duration 45 --warmup 15
run resume        resume --clients 50 --rate 500 --duration 30 --disconnect-every-ms 3000 --reconnect-delay-ms 200
run snapshot      snapshot --clients 100 --rows 10000 --rate 500 --duration 15
run idle          idle --clients 10000 --hold 15
if [ -n "${SOAK_SECONDS:-}" ]; then
  RUN_TIMEOUT=$((SOAK_SECONDS + 300)) \
    run soak      soak --clients 200 --rate 200 --duration "$SOAK_SECONDS" --sample-every 10
fi
echo "results in $OUT"
