#!/bin/bash
# One shard of a placeplan sweep per Slurm array task (docs/scale-out.md).
#
# Submit the shards as an array whose task ids are the shard numbers 1 to N, then the merge,
# to start once every shard has finished:
#
#   jobid=$(sbatch --parsable --array=1-16 docs/scale-out/slurm.sh)
#   sbatch --dependency=afterok:$jobid docs/scale-out/slurm-merge.sh
#
# SWEEP (the sweep file) and SHARDS_DIR (where the shard folders go) must be on storage that
# every node reads and writes; sbatch passes them on from the submitting shell (its default,
# --export=ALL).
#SBATCH --job-name=placeplan-sweep
#SBATCH --cpus-per-task=4
#SBATCH --time=04:00:00
#SBATCH --output=placeplan-shard-%a.log
set -euo pipefail

SWEEP=${SWEEP:-sweep.toml}
SHARDS_DIR=${SHARDS_DIR:-shards}
N=${SLURM_ARRAY_TASK_COUNT:?submit as an array job: sbatch --array=1-N}
I=${SLURM_ARRAY_TASK_ID:?submit as an array job: sbatch --array=1-N}

placeplan sweep "$SWEEP" --shard "$I/$N" --threads "${SLURM_CPUS_PER_TASK:-0}" \
    --out "$SHARDS_DIR/shard-$I"
