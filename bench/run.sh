#!/usr/bin/env bash
# Builds the release server and the load generator, then runs the benchmark.
# Every argument is passed to registration-load (see ./bench/run.sh --help).
#   ./bench/run.sh
#   ./bench/run.sh --participants 5000 --clients 64 --pool-size 32
#   BENCH_POSTGRES=postgres://postgres@db:5432 ./bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p kompetens-api -p kompetens-bench
exec ./target/release/registration-load --server ./target/release/kompetens "$@"
