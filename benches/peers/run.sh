#!/usr/bin/env bash
# placeplan against HiGHS and CBC on the same models, side by side:
#
#   benches/peers/run.sh [--time-limit SECONDS] [--instances demo,ward,lsoa] [--out DIR]
#
# Builds placeplan (release, default features), writes the demo and the synthetic ward and LSOA
# scenarios with the scenario defaults (whole bases, stability), writes each model as MPS with
# `placeplan plan --write-mps`, then solves each with placeplan's default engine (the whole
# `plan` command), HiGHS (highspy) and CBC (the binary PuLP ships), one thread each, and prints
# one table. The Python packages go into benches/peers/.venv (never into the build or tests);
# everything else into benches/peers/out unless --out says otherwise. Needs network access
# to PyPI the first time. See docs/performance.md, "Peers".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$here/requirements.txt" "$venv/requirements.txt"; then
    echo "installing highspy and pulp into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
fi

echo "building placeplan (release)" >&2
(cd "$root" && cargo build --release --quiet -p placeplan-cli)
target="${CARGO_TARGET_DIR:-target}"
[[ "$target" = /* ]] || target="$root/$target"
bin="$target/release/placeplan"

exec "$venv/bin/python" "$here/peers.py" --placeplan "$bin" "$@"
