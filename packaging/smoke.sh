#!/usr/bin/env bash
# The bundle's smoke test (slow, so outside the test suite): builds dist/earmark with
# packaging/build.sh, starts it offscreen on the bundled sample episode with a fresh
# library, and checks that the episode gets transcribed by the embedded model, that a
# second start hands its file to the running window and exits 0, and that the window
# process is still up afterwards (insights run in a child process of the bundle).
#
#     packaging/smoke.sh              build, then check
#     SKIP_BUILD=1 packaging/smoke.sh check the bundle already in dist/earmark
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${SKIP_BUILD:-0}" = 1 ] || packaging/build.sh

APP=dist/earmark/earmark
SAMPLE=dist/earmark/_internal/resources/sample/nasa-hwhap414-science-in-space.mp3
[ -x "$APP" ] && [ -f "$SAMPLE" ] || { echo "smoke: no bundle with the sample in dist/earmark" >&2; exit 1; }

work=$(mktemp -d)
mkdir -m 700 "$work/run"
export EARMARK_HOME="$work/library" XDG_RUNTIME_DIR="$work/run" QT_QPA_PLATFORM=offscreen
export HF_HUB_OFFLINE=1  # the model is in the bundle: nothing may be fetched
pid=""
finish() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap finish EXIT
fail() {
    echo "smoke: FAIL: $*" >&2
    echo "--- window output" >&2
    cat "$work/window.log" >&2
    exit 1
}

start=$(date +%s)
"$APP" "$SAMPLE" >"$work/window.log" 2>&1 &
pid=$!
deadline=$((start + ${SMOKE_TIMEOUT:-900}))
while :; do
    kill -0 "$pid" 2>/dev/null || fail "the window exited"
    listing=$("$APP" list --json 2>/dev/null || true)
    if grep -q '"status": "done"' <<<"$listing"; then
        break
    fi
    [ "$(date +%s)" -lt "$deadline" ] || fail "not transcribed within ${SMOKE_TIMEOUT:-900} s"
    sleep 3
done
echo "smoke: transcribed in $(($(date +%s) - start)) s:"
"$APP" list

handover_start=$(date +%s.%N)
"$APP" "$SAMPLE" || fail "the second start did not hand over (exit $?)"
printf 'smoke: a second start handed its file over and exited 0 in %.2f s\n' \
    "$(echo "$(date +%s.%N) - $handover_start" | bc)"

sleep 10  # insights are made after the transcript; the window must survive them
kill -0 "$pid" 2>/dev/null || fail "the window exited after the transcription"
grep -q -e "Traceback" -e "job failed" "$work/window.log" && fail "a failure in the window's output"
echo "smoke: PASS (the window is still up)"
