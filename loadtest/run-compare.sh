#!/usr/bin/env bash
# Side-by-side fan-out comparison (docs/benchmarks.md, "Speed: side by side"): the lean Vert.x
# broadcaster (raw scenario) and one or more Slipstream jars (fanout scenario), interleaved
# A B A B ..., a fresh server per run, the same JVM flags for every JVM server, the load average
# recorded before and after each run.
#
#   loadtest/run-compare.sh OUT_DIR label=JAR [label=JAR ...]
#
# A label starting with "lean" is run as the vertx-lean broadcaster (POST /publish, GET /ws), one
# starting with "nchan" as Nchan (nginx with loadtest/nchan/nginx.conf; the value after = is
# ignored; Debian: apt-get install nginx-light libnginx-mod-nchan; its one worker's CPU is
# measured), any other as Slipstream. Environment: ROUNDS (3), CLIENTS (1000), RATE (100), SIZE (256),
# DURATION (20), WARMUP (10), PORT (18601), JVM ("-Xms256m -Xmx2g"), SERVER_ARGS (extra
# Slipstream flags), JFR=1 (a JFR profile of each server, settings=profile, over the measured
# part), SCENARIO (fanout; e.g. saturate or idle for Slipstream only), EXTRA (extra tool flags),
# NICE (e.g. -5: run server and tool at that priority, so that neighbours' builds at nice 10 take
# less from the measurement; negative needs root), JOPTS_<label> (extra JVM flags for that label's
# server, e.g. JOPTS_uring=-Dslipstream.netTransport=io_uring), EXTRA_<label> (extra tool flags
# for that label, e.g. EXTRA_one="--max-batch 1": one change per publish, as raw posts them).
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT=$1; shift
LT="${LT:-$HERE/target/slipstream-loadtest.jar}"
ROUNDS=${ROUNDS:-3}; CLIENTS=${CLIENTS:-1000}; RATE=${RATE:-100}; SIZE=${SIZE:-256}
DURATION=${DURATION:-20}; WARMUP=${WARMUP:-10}; PORT=${PORT:-18601}; JVM=${JVM:--Xms256m -Xmx2g}
SCENARIO=${SCENARIO:-fanout}; EXTRA=${EXTRA:-}
mkdir -p "$OUT"
for round in $(seq 1 "$ROUNDS"); do
  for spec in "$@"; do
    label=${spec%%=*}; jar=${spec#*=}; name="$label-$round"
    jfr=""
    eval "jopts=\${JOPTS_$label:-}"
    eval "extra=\"$EXTRA \${EXTRA_$label:-}\""
    nice=(nice -n "${NICE:-0}")
    if [ "${JFR:-0}" = 1 ]; then
      jfr="-XX:+FlightRecorder -XX:StartFlightRecording=delay=$((WARMUP + 3))s,duration=$((DURATION - 2))s,filename=$OUT/$name.jfr,settings=profile"
    fi
    case $label in
      nchan*) mkdir -p "$OUT/$name.nginx"
             sed -e "s|PREFIX|$OUT/$name.nginx|g" -e "s|PORT|$PORT|g" "$HERE/nchan/nginx.conf" \
               > "$OUT/$name.nginx/nginx.conf"
             "${nice[@]}" nginx -c "$OUT/$name.nginx/nginx.conf" -p "$OUT/$name.nginx" \
               -g 'daemon off;' > "$OUT/$name.server.log" 2>&1 &
             health="http://127.0.0.1:$PORT/health"
             tool=(raw --ws-url "ws://127.0.0.1:$PORT/ws" --post-url "http://127.0.0.1:$PORT/publish") ;;
      lean*) "${nice[@]}" java $JVM $jopts $jfr -Dport="$PORT" -Dhost=127.0.0.1 -jar "$jar" > "$OUT/$name.server.log" 2>&1 &
             health="http://127.0.0.1:$PORT/health"
             tool=(raw --ws-url "ws://127.0.0.1:$PORT/ws" --post-url "http://127.0.0.1:$PORT/publish") ;;
      *)     "${nice[@]}" java $JVM $jopts $jfr -jar "$jar" --port "$PORT" --host 127.0.0.1 ${SERVER_ARGS:-} > "$OUT/$name.server.log" 2>&1 &
             health="http://127.0.0.1:$PORT/health"
             tool=("$SCENARIO" --url "http://127.0.0.1:$PORT") ;;
    esac
    spid=$!
    for _ in $(seq 1 150); do
      [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$health")" = 200 ] && break
      sleep 0.2
    done
    master=$spid
    if [ "${label#nchan}" != "$label" ]; then
      # The master only forks: the worker does the work, so its CPU is the server's.
      spid=$(pgrep -P "$master" | head -1)
    fi
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    if [ "$SCENARIO" = idle ]; then
      "${nice[@]}" java -jar "$LT" "${tool[@]}" --clients "$CLIENTS" $extra --server-pid "$spid" \
        --out "$OUT/$name" --quiet > "$OUT/$name.txt" 2>&1
    else
      "${nice[@]}" java -jar "$LT" "${tool[@]}" --clients "$CLIENTS" --rate "$RATE" --size "$SIZE" \
        --duration "$DURATION" --warmup "$WARMUP" $extra --server-pid "$spid" \
        --out "$OUT/$name" --quiet > "$OUT/$name.txt" 2>&1
    fi
    rc=$?
    echo "$name $(date -u +%T) exit $rc load before $before after $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/log.txt"
    grep -E "server CPU-s per 1M|p99|peak RSS|heap per" "$OUT/$name.txt" | head -6 | sed 's/^/   /' | tee -a "$OUT/log.txt"
    kill "$master" 2>/dev/null; wait "$master" 2>/dev/null
  done
done
