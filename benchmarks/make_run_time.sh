#!/bin/bash
# Seconds from a fresh clone's `make run` to the app answering on http://127.0.0.1:7860/ (issue 13).
#   bash benchmarks/make_run_time.sh [COMMIT]      (default HEAD; needs curl, port 7860 free)
# Clones this repository at COMMIT into a temporary folder with ../shared linked beside it, runs
# `make run` there (creates .venv, installs, builds the shipped index, starts the app), polls every
# 0.5 s, prints the time and the index build's summary, then stops the app.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd); shared=$(cd "$repo/../shared" && pwd)
commit=${1:-HEAD}; d=$(mktemp -d)
git clone -q "$repo" "$d/repo" && cd "$d/repo" && git checkout -q "$commit" && ln -s "$shared" "$d/shared"
t0=$(date +%s.%N)
setsid make run > "$d/run.log" 2>&1 &
pid=$!
until curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:7860/ 2>/dev/null | grep -q 200; do
  if ! kill -0 $pid 2>/dev/null; then echo "make run stopped before the app answered:"; tail -5 "$d/run.log"; exit 1; fi
  sleep 0.5
done
t1=$(date +%s.%N)
echo "$commit: the app answered after $(python3 -c "print(round($t1 - $t0, 1))") s"
grep -E "Indexed|passages embedded" "$d/run.log"
kill -- -$pid 2>/dev/null
rm -rf "$d"
