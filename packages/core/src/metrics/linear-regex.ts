/**
 * User-written regular expressions (the `regex` metric's pattern, `pattern` and `patternProperties` in a
 * `json-schema` metric's schema) run on RE2 (`re2js`, a pure-JavaScript port): matching takes time linear in
 * the text, so no pattern can backtrack catastrophically and hold the engine's thread for minutes on one case.
 * JavaScript's own engine backtracks (`^(a+)+$` on forty "a"s and a "!" runs for minutes), and a match in
 * progress cannot be interrupted. The syntax accepted is JavaScript's, less what RE2 cannot do in linear
 * time: lookahead and backreferences (lookbehind is supported).
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * const p = compileLinear("\\d{4}", "i")
 * if (Either.isRight(p)) p.right.exec("in 2024")?.index // 3
 * ```
 */
import { Either } from "effect"
import { createRequire } from "node:module"
import type { RE2JS } from "re2js"

/**
 * re2js, loaded when the first pattern is compiled: a program that compiles none (no regex metric, no schema
 * with a pattern) does not load its Unicode tables. Synchronous, because a metric reports a bad pattern as it
 * is built; through re2js's CommonJS build, which `require` can load.
 */
let re2js: typeof RE2JS | undefined
const engine = (): typeof RE2JS => (re2js ??= (createRequire(import.meta.url)("re2js") as typeof import("re2js")).RE2JS)

/** RE2's flag bits for the JavaScript flags; `u` and `d` need none. */
const flagBits = (re2: typeof RE2JS): Readonly<Record<string, number>> => ({
  i: re2.CASE_INSENSITIVE,
  m: re2.MULTILINE,
  s: re2.DOTALL,
  // RE2 always matches code points (as `u` does) and match indices (`d`) change nothing here.
  u: 0,
  d: 0
})

const ALLOWED_FLAGS = /^[dimsu]*$/

/**
 * A construct that RE2 cannot run, named for the error message, or undefined. Escapes are skipped pairwise so
 * that an escaped backslash (`\\1`) is not mistaken for a backreference, and `(?=` inside a class is text.
 */
const unsupportedConstruct = (pattern: string): string | undefined => {
  let inClass = false
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]
    if (ch === "\\") {
      const next = pattern[++i]
      if (inClass) continue
      if (next !== undefined && next >= "1" && next <= "9") return `backreference \\${next}`
      if (next === "k" && pattern[i + 1] === "<") return "named backreference \\k<…>"
    } else if (inClass) {
      if (ch === "]") inClass = false
    } else if (ch === "[") {
      inClass = true
    } else if (ch === "(" && pattern[i + 1] === "?" && (pattern[i + 2] === "=" || pattern[i + 2] === "!")) {
      return `lookahead (?${pattern[i + 2]}…)`
    }
  }
  return undefined
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/**
 * Compile a JavaScript-syntax pattern with JavaScript flags (any of `d i m s u`) for RE2, or explain why it
 * cannot be: invalid JavaScript (the JavaScript engine's message), an unsupported flag, or a construct RE2
 * cannot run in linear time.
 *
 * @example
 * ```ts
 * compileLinear("(a)\\1", "") // Either.left('pattern "(a)\\1" uses a backreference \1, which …')
 * ```
 */
export const compileLinear = (pattern: string, flags: string): Either.Either<RE2JS, string> => {
  if (!ALLOWED_FLAGS.test(flags)) return Either.left(`flags ${JSON.stringify(flags)} are not allowed: use any of d, i, m, s, u`)
  const quoted = JSON.stringify(pattern)
  // Checked against JavaScript first (compiling runs no match): a syntax error keeps JavaScript's message.
  const javascript = Either.try({ try: () => new RegExp(pattern, flags), catch: (e) => `invalid pattern ${quoted}: ${message(e)}` })
  if (Either.isLeft(javascript)) return Either.left(javascript.left)
  const construct = unsupportedConstruct(pattern)
  if (construct !== undefined) {
    return Either.left(`pattern ${quoted} uses a ${construct}, which the linear-time regex engine (RE2) does not support`)
  }
  const re2 = engine()
  const bitOf = flagBits(re2)
  const bits = [...flags].reduce((all, flag) => all | (bitOf[flag] ?? 0), re2.LOOKBEHINDS)
  return Either.try({
    try: () => re2.compile(re2.translateRegExp(pattern), bits),
    catch: (e) => `pattern ${quoted} cannot run on the linear-time regex engine (RE2): ${message(e)}`
  })
}

/**
 * The regex engine given to Ajv (`code.regExp`) for a schema's `pattern` and `patternProperties`: RE2, with
 * an unsupported pattern reported while the schema compiles.
 *
 * @example
 * ```ts
 * new Ajv({ code: { regExp: linearRegExpEngine } })
 * ```
 */
export const linearRegExpEngine = Object.assign(
  (pattern: string, flags: string): { test: (text: string) => boolean; toString: () => string } => {
    const compiled = compileLinear(pattern, flags)
    if (Either.isLeft(compiled)) throw new Error(compiled.left)
    const re = compiled.right
    // Ajv shares compiled patterns by their `toString()`: it must tell patterns apart.
    return { test: (text) => re.test(text), toString: () => `/${pattern}/${flags}` }
  },
  // What Ajv's standalone code generation would print for it (unused: schemas are compiled in process).
  { code: "linearRegExpEngine" }
)
