#!/bin/bash
# Merges the shards written by docs/scale-out/slurm.sh into the whole sweep's outputs
# (docs/scale-out.md). Submit it to start once every shard has finished:
#
#   sbatch --dependency=afterok:$jobid docs/scale-out/slurm-merge.sh
#SBATCH --job-name=placeplan-merge
#SBATCH --time=00:30:00
#SBATCH --output=placeplan-merge.log
set -euo pipefail

SHARDS_DIR=${SHARDS_DIR:-shards}
OUT=${OUT:-sweep-out}

placeplan sweep-merge "$SHARDS_DIR"/shard-* --out "$OUT"
