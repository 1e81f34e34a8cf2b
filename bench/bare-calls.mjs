#!/usr/bin/env node
// The bare baseline of bench/cli-calls.mjs as a process of its own: `n` chat completions to `baseUrl` with
// undici.request, `inFlight` at a time, no Effect, no engine — what the CLI's process wall is compared with.
//   node bench/bare-calls.mjs <baseUrl> <n> <inFlight>
import { bareUndici } from "./fake-server.mjs"

const [baseUrl, n, inFlight] = process.argv.slice(2)
await bareUndici(baseUrl, Number(n), Number(inFlight))
