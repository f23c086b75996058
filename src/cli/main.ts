#!/usr/bin/env -S node --max-semi-space-size=8
/**
 * Entry point of the `inlet` binary: runs the command line and exits with its code. The node flag
 * above (also in package.json `start`, and read from here by the benchmark) caps the request
 * thread's young generation: V8 otherwise grows it to 48 MB under Bulk's allocation rate, which
 * put peak RSS over 300 MB (docs/benchmarks.md, "Bulk rows").
 */
import { main } from './cli.js'

process.exitCode = await main(process.argv.slice(2), process.env)
