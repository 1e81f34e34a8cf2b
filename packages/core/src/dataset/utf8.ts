/**
 * Finding the lines of a dataset that are not valid UTF-8. Decoding replaces such bytes with U+FFFD, which
 * would silently change what is scored (and the cache key); the validating read reports them instead — a
 * warning naming `file:line`, or a {@link DatasetError} with `--strict-input`. The check runs on the bytes before
 * decoding: node's native `isUtf8` over a whole read chunk, and only when that fails, line by line.
 *
 * @example
 * ```ts
 * import { invalidUtf8Lines } from "./utf8.js"
 * invalidUtf8Lines(new Uint8Array([0x61, 0x0a, 0xff, 0x0a]), 1) // [2]
 * ```
 */
import { isUtf8 } from "node:buffer"
import { Console, Effect, Stream } from "effect"
import { DatasetError } from "./errors.js"

const NEWLINE = 0x0a

/**
 * The 1-based numbers of the lines of `bytes` (whose first line is `firstLine`) that are not valid UTF-8.
 *
 * @example
 * ```ts
 * invalidUtf8Lines(Buffer.from("ok\n\xff\n", "latin1"), 10) // [11]
 * ```
 */
export const invalidUtf8Lines = (bytes: Uint8Array, firstLine: number): ReadonlyArray<number> => {
  if (isUtf8(bytes)) return []
  const bad: Array<number> = []
  let start = 0
  for (let line = firstLine; start <= bytes.length; line++) {
    const end = bytes.indexOf(NEWLINE, start)
    const stop = end === -1 ? bytes.length : end
    if (!isUtf8(bytes.subarray(start, stop))) bad.push(line)
    if (end === -1) break
    start = end + 1
  }
  return bad
}

const countNewlines = (bytes: Uint8Array): number => {
  let count = 0
  for (let at = bytes.indexOf(NEWLINE); at !== -1; at = bytes.indexOf(NEWLINE, at + 1)) count++
  return count
}

/** What to do about lines that are not UTF-8: warn once per file (the default) or fail naming the first. */
export interface Utf8Policy {
  readonly file: string
  readonly strict: boolean
}

const SHOWN = 5

/** Bytes of one line carried between reads at most before it is checked in pieces. */
const LONG_LINE = 1 << 16

/**
 * The offset where the last (possibly incomplete) UTF-8 character of `bytes` starts.
 *
 * @example
 * ```ts
 * lastCharStart(new TextEncoder().encode("aé")) // 1
 * ```
 */
export const lastCharStart = (bytes: Uint8Array): number => {
  let i = bytes.length - 1
  while (i > 0 && bytes.length - i < 4 && (bytes[i]! & 0xc0) === 0x80) i--
  return Math.max(i, 0)
}

/**
 * Report the bad lines found in a file: the first fails under `strict`, otherwise one warning lists them.
 *
 * @example
 * ```ts
 * reportInvalid({ file: "a.jsonl", strict: false }, [3, 9]) // warning: a.jsonl:3: …
 * ```
 */
export const reportInvalid = (policy: Utf8Policy, lines: ReadonlyArray<number>): Effect.Effect<void, DatasetError> => {
  if (lines.length === 0) return Effect.void
  const detail = "bytes that are not valid UTF-8"
  if (policy.strict) return Effect.fail(new DatasetError({ file: policy.file, line: lines[0]!, detail: `${detail} (--strict-input)` }))
  const others = lines.slice(1, SHOWN)
  const more = lines.length - 1 - others.length
  const also = others.length === 0 ? "" : ` (also line${others.length > 1 ? "s" : ""} ${others.join(", ")}${more > 0 ? ` and ${more} more` : ""})`
  return Console.error(`warning: ${policy.file}:${lines[0]}: ${detail}${also}, read as U+FFFD; pass --strict-input to refuse them`)
}

/**
 * A checker of one read of a file: `pass` lets the byte stream through unchanged while it notes the lines that
 * are not UTF-8; `finish` reports them by `policy`, to be run when the whole file was read (appended to the
 * end of the loader's pipeline: an error raised inside it would reach `Stream.splitLines`, which first emits
 * the cut-off line it holds, or through the CSV parser, which did not pass it on).
 *
 * @example
 * ```ts
 * const utf8 = utf8Checker({ file, strict: false })
 * fs.stream(file).pipe(utf8.pass, Stream.decodeText(), Stream.concat(Stream.execute(utf8.finish)))
 * ```
 */
export const utf8Checker = (policy: Utf8Policy) => {
  let line = 1 // the line where `partial` starts
  let partial = new Uint8Array(0) // bytes after the last newline seen: a line that continues in the next chunk
  const bad: Array<number> = []
  const scan = (complete: Uint8Array) => {
    for (const at of invalidUtf8Lines(complete, line)) if (bad[bad.length - 1] !== at) bad.push(at)
    line += countNewlines(complete)
  }
  const check = (chunk: Uint8Array) => {
    const bytes = partial.length === 0 ? chunk : Buffer.concat([partial, chunk])
    let cut = bytes.lastIndexOf(NEWLINE) + 1
    // A long line (a JSON document on one line) is checked in pieces cut between characters, so the carry
    // stays small instead of growing with the line.
    if (bytes.length - cut > LONG_LINE) cut = lastCharStart(bytes)
    partial = bytes.slice(cut)
    scan(bytes.subarray(0, cut))
    return chunk
  }
  return {
    pass: <E, R>(bytes: Stream.Stream<Uint8Array, E, R>): Stream.Stream<Uint8Array, E, R> => Stream.map(bytes, check),
    finish: Effect.suspend(() => {
      scan(partial)
      return reportInvalid(policy, bad)
    })
  }
}
