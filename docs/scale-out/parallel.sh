#!/bin/bash
# Runs every shard of a placeplan sweep with GNU parallel, on this machine or on several hosts
# over ssh, then merges them (docs/scale-out.md):
#
#   HOSTS=node1,node2,node3 SHARDS=24 SWEEP=sweep.toml OUT=sweep-out docs/scale-out/parallel.sh
#
# Each host runs one shard at a time with all of its cores. The hosts share this working
# directory (the same path on each, on NFS or similar) and have placeplan on their PATH.
# HOSTS=":" (the default) runs the shards here, one after another.
set -euo pipefail

SWEEP=${SWEEP:-sweep.toml}
SHARDS=${SHARDS:-8}
SHARDS_DIR=${SHARDS_DIR:-shards}
OUT=${OUT:-sweep-out}
HOSTS=${HOSTS:-:}

seq 1 "$SHARDS" | parallel --sshlogin "$HOSTS" --jobs 1 --workdir "$PWD" --halt now,fail=1 \
    placeplan sweep "$SWEEP" --shard "{}/$SHARDS" --out "$SHARDS_DIR/shard-{}"
placeplan sweep-merge "$SHARDS_DIR"/shard-* --out "$OUT"
