#!/usr/bin/env -S node --max-semi-space-size=8 --heap-growing-percent=50
/**
 * Entry point of the `inlet` binary: runs the command line and exits with its code. The node flags
 * above (also in package.json `start`, and read from here by the benchmark) bound memory under
 * Bulk's allocation rate: the first caps the request thread's young generation (V8 otherwise
 * grows it to 48 MB; docs/benchmarks.md, "Bulk rows"), the second lets each heap grow by half
 * after a full collection instead of V8's default of up to four times, which took peak RSS
 * under Bulk from ~320 to 248 MB at the same throughput (docs/benchmarks.md, 2026-12-05 07:30).
 */
import { main } from './cli.js'

process.exitCode = await main(process.argv.slice(2), process.env)
