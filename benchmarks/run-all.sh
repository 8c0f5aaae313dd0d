#!/usr/bin/env bash
# Runs every benchmark (or those matching the filter given as $1) and gathers BenchmarkDotNet's
# GitHub-markdown tables, each headed by the machine and runtime it ran on, into benchmarks/RESULTS.md.
# The benchmarks read the real EMNIST files at ../shared/data/emnist (or $HCR_EMNIST_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
filter="${1:-*}"
results=BenchmarkDotNet.Artifacts/results
rm -f "$results"/*-report-github.md
dotnet run -c Release --project benchmarks/Hcr.MLNet.Benchmarks -- --filter "$filter" --exporters github

out=benchmarks/RESULTS.md
{
  echo "# Benchmark results"
  echo
  echo "Written by \`benchmarks/run-all.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). Each table starts with the machine it ran on."
  for report in "$results"/*-report-github.md; do
    name=$(basename "$report" -report-github.md)
    echo
    echo "## ${name##*.}"
    echo
    cat "$report"
  done
} > "$out"
echo "Wrote $out"
