#!/usr/bin/env bash
# The README's two commands, checked from scratch, exactly as a newcomer copies them:
#   1. git clone of this repo into a fresh temp dir (so only committed files count);
#   2. the fenced command after `<!-- test-command -->`, run as written (it makes its own venv);
#   3. the fenced command after `<!-- lab-command -->`, run as written in the background until
#      JupyterLab answers on its port, then stopped.
#
# The lab command stays a plain `jupyter lab ...`: port, address, token, no-browser (and
# allow_root when CI runs as root) come from a throw-away JUPYTER_CONFIG_DIR, which
# jupyter reads with the highest priority. Nothing is added to the command line.
#
# Usage: bash .ci/readme_check.sh
# Env:   README_CHECK_LAB_TIMEOUT   seconds for install + start of the lab command (600)
#        README_CHECK_ARTIFACTS     logs folder (default .ci/artifacts/readme, git-ignored)
#        README_CHECK_KEEP=1        keep the temporary clone
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ART=${README_CHECK_ARTIFACTS:-$REPO/.ci/artifacts/readme}
mkdir -p "$ART"
[ -f "$REPO/.ci/artifacts/.gitignore" ] || echo '*' > "$REPO/.ci/artifacts/.gitignore"
T0=$SECONDS
say() { echo "=== readme_check [$((SECONDS - T0)) s] $*"; }
die() { echo "readme_check: FAIL: $*" >&2; exit 1; }

# The fenced block that follows a marker comment (any fence language, first block only).
extract() {
    awk -v marker="<!-- $1 -->" '
        index($0, marker) { found = 1; next }
        found && /^[ \t]*```/ { if (inside) exit; inside = 1; next }
        inside { print }
    ' "$REPO/README.md"
}
[ -f "$REPO/README.md" ] || die "no README.md"
TEST_CMD=$(extract test-command)
LAB_CMD=$(extract lab-command)
[ -n "$TEST_CMD" ] || die "README.md has no fenced command after <!-- test-command -->"
[ -n "$LAB_CMD" ] || die "README.md has no fenced command after <!-- lab-command -->"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gradviz-readme.XXXXXX")
LAB_PID=
cleanup() {
    if [ -n "$LAB_PID" ]; then kill -TERM -- "-$LAB_PID" 2>/dev/null || true; sleep 1; kill -KILL -- "-$LAB_PID" 2>/dev/null || true; fi
    if [ "${README_CHECK_KEEP:-0}" = 1 ]; then echo "readme_check: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

say "git clone (committed files only) -> $WORK/gradviz"
git clone -q "$REPO" "$WORK/gradviz"
cd "$WORK/gradviz"

# A newcomer's shell: no active virtualenv, no venv bin folder on PATH, no PYTHONPATH.
clean_path=
IFS=':' read -r -a parts <<< "$PATH"
for d in "${parts[@]}"; do
    [ -n "$d" ] && [ -f "$d/../pyvenv.cfg" ] && continue
    clean_path=${clean_path:+$clean_path:}$d
done
run_env=(env -u VIRTUAL_ENV -u PYTHONPATH -u PYTHONHOME -u CONDA_PREFIX PATH="$clean_path")
echo "readme_check: python3 is $("${run_env[@]}" bash -c 'command -v python3; python3 -V')"

say "README test command:"
printf '%s\n' "$TEST_CMD" | sed 's/^/    /'
set +e
"${run_env[@]}" bash -eo pipefail -c "$TEST_CMD" 2>&1 | tee "$ART/test-command.log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" = 0 ] || die "the README test command exited $rc"

say "README lab command (background, until JupyterLab answers):"
printf '%s\n' "$LAB_CMD" | sed 's/^/    /'
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TOKEN=readme-check-$RANDOM$RANDOM
mkdir -p "$WORK/jupyter-config"
allow_root=false; [ "$(id -u)" = 0 ] && allow_root=true
cat > "$WORK/jupyter-config/jupyter_server_config.json" <<EOF
{
  "ServerApp": {"ip": "127.0.0.1", "port": $PORT, "port_retries": 0, "open_browser": false,
                "allow_root": $allow_root},
  "IdentityProvider": {"token": "$TOKEN"},
  "LabApp": {"news_url": null}
}
EOF
setsid "${run_env[@]}" JUPYTER_CONFIG_DIR="$WORK/jupyter-config" BROWSER=true \
    bash -eo pipefail -c "$LAB_CMD" > "$ART/lab-command.log" 2>&1 &
LAB_PID=$!
deadline=$((SECONDS + ${README_CHECK_LAB_TIMEOUT:-600}))
answered=0
while [ $SECONDS -lt $deadline ]; do
    if curl -sf "http://127.0.0.1:$PORT/api/status?token=$TOKEN" > "$ART/api-status.json"; then answered=1; break; fi
    kill -0 "$LAB_PID" 2>/dev/null || break
    sleep 1
done
if [ "$answered" != 1 ]; then
    tail -40 "$ART/lab-command.log" >&2
    die "JupyterLab from the README lab command did not answer on 127.0.0.1:$PORT"
fi
code=$(curl -s -o "$ART/lab.html" -w '%{http_code}' "http://127.0.0.1:$PORT/lab?token=$TOKEN")
[ "$code" = 200 ] && grep -qi 'jupyterlab' "$ART/lab.html" || die "/lab answered HTTP $code without JupyterLab"
echo "readme_check: JupyterLab answers on 127.0.0.1:$PORT (/api/status, /lab: 200)"
kill -TERM -- "-$LAB_PID" 2>/dev/null || true
for _ in $(seq 1 20); do kill -0 "$LAB_PID" 2>/dev/null || break; sleep 0.5; done
kill -KILL -- "-$LAB_PID" 2>/dev/null || true
wait "$LAB_PID" 2>/dev/null || true
LAB_PID=
say "done: both README commands work from a fresh clone"
