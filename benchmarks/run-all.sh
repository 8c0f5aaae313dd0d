#!/usr/bin/env bash
# Runs every benchmark (or those matching the filter given as $1) and gathers BenchmarkDotNet's
# GitHub-markdown tables, each headed by the machine and runtime it ran on, into benchmarks/RESULTS.md.
# A filtered run replaces only the sections of the benchmarks it ran and keeps the others, each with
# the date it was measured.
# The benchmarks read the real EMNIST files at ../shared/data/emnist (or $HCR_EMNIST_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-*}"
results=BenchmarkDotNet.Artifacts/results
rm -f "$results"/*-report-github.md
dotnet run -c Release --project benchmarks/Hcr.MLNet.Benchmarks -- --filter "$filter" --exporters github

out=benchmarks/RESULTS.md
sections=$(mktemp -d)
trap 'rm -rf "$sections"' EXIT
order=()
# The sections already there: one file per benchmark class, in their order.
if [ -f "$out" ]; then
  awk -v dir="$sections" '/^## / { name = $2; print name > (dir "/order") } name != "" { print > (dir "/" name ".md") }' "$out"
  [ -f "$sections/order" ] && mapfile -t order < "$sections/order"
fi
stamp=$(date -u '+%Y-%m-%d %H:%M UTC')
for report in "$results"/*-report-github.md; do
  name=$(basename "$report" -report-github.md)
  name=${name##*.}
  { echo "## $name"; echo; echo "Measured $stamp."; echo; cat "$report"; echo; } > "$sections/$name.md"
  [[ " ${order[*]} " == *" $name "* ]] || order+=("$name")
done
{
  echo "# Benchmark results"
  echo
  echo "Written by \`benchmarks/run-all.sh\`; each section says when it was measured, and each table starts with the machine it ran on."
  echo
  for name in "${order[@]}"; do
    cat "$sections/$name.md"
  done
} > "$out"
echo "Wrote $out"
