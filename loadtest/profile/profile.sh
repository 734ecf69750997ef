#!/usr/bin/env bash
# A CPU profile of one server's steady state under the fan-out (docs/benchmarks.md, "Fewer
# objects per delivery"): async-profiler (itimer), attached 25 s into a 45-s run of 1,000
# subscribers × 100 changes/s, stopped 15 s later, written as collapsed stacks; then split.
#
#   loadtest/profile/profile.sh OUT JAR [lean]
#
# OUT.collapsed, OUT.txt (the load tool's report), OUT.split (profile-split.py). JAR is a Slipstream
# jar, or the lean broadcaster's with "lean". async-profiler comes from Maven Central
# (tools.profiler:async-profiler:4.1, linux-x64) into ~/.m2 and /tmp/async-profiler.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
OUT=$1; JAR=$2; KIND=${3:-slip}; PORT=${PORT:-18611}
LT="${LT:-$HERE/../target/slipstream-loadtest.jar}"
AP=/tmp/async-profiler
if [ ! -f "$AP/linux-x64/libasyncProfiler.so" ]; then
  mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64
  mkdir -p "$AP" && (cd "$AP" && unzip -o -q ~/.m2/repository/tools/profiler/async-profiler/4.1/async-profiler-4.1-linux-x64.jar)
fi
LIB="$AP/linux-x64/libasyncProfiler.so"
if [ "$KIND" = lean ]; then
  java -Xms256m -Xmx2g -Dport=$PORT -Dhost=127.0.0.1 -jar "$JAR" > "$OUT.server.log" 2>&1 &
  tool=(raw --ws-url "ws://127.0.0.1:$PORT/ws" --post-url "http://127.0.0.1:$PORT/publish")
else
  java -Xms256m -Xmx2g -jar "$JAR" --port $PORT --host 127.0.0.1 > "$OUT.server.log" 2>&1 &
  tool=(fanout --url "http://127.0.0.1:$PORT")
fi
spid=$!
trap 'kill $spid 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  [ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health")" = 200 ] && break
  sleep 0.2
done
java -jar "$LT" "${tool[@]}" --clients 1000 --rate 100 --size 256 --duration 45 --warmup 15 \
  --server-pid $spid --quiet > "$OUT.txt" 2>&1 &
tpid=$!
sleep 25
java "$HERE/Attach.java" $spid "$LIB" start,event=itimer,interval=1ms
sleep 15
java "$HERE/Attach.java" $spid "$LIB" "stop,collapsed,file=$OUT.collapsed"
wait $tpid || true
python3 "$HERE/profile-split.py" "$OUT.collapsed" | tee "$OUT.split"
