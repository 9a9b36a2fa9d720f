#!/bin/bash
# A refbench sweep in SHARDS shards through GNU parallel, one shard per host at a time
# (--jobs 1: two sweeps on one host would disturb each other's measurements), then merged
# (docs/sweeps.md). HOSTS: ssh logins, comma-separated (refbench installed on each; the
# result files come back); without it every shard runs here, one after the other.
# REFBENCH (the binary) and REFBENCH_SWEEP (the sweep's options) may be changed.
# ctest -L distributed runs this very file.
set -euo pipefail
shards=${SHARDS:-4}
sweep="${REFBENCH:-refbench} sweep ${REFBENCH_SWEEP:---pairs all --payload 64,4096} --quiet"
remote=()
if [ -n "${HOSTS:-}" ]; then
  remote=(--sshlogin "$HOSTS" --workdir ... --cleanup
          --return 'shard-{#}.csv' --return 'shard-{#}.meta.json'
          --return 'shard-{#}.topology.xml')
fi
seq "$shards" | parallel --jobs 1 --halt now,fail=1 "${remote[@]}" \
  "$sweep --shard '{#}/$shards' --out 'shard-{#}.csv'"
${REFBENCH:-refbench} merge shard-*.csv --out sweep.csv
