/**
 * The output path of an http target (`target.output`): member and index steps into the response's JSON, written
 * `choices.0.message.content`, `$.answer` or `$.choices[0].message.content` (`["a key"]` for odd keys). Only
 * these steps exist — no filters, wildcards or scripts — so a dozen lines do what a JSONPath library would,
 * without its evaluator.
 *
 * @example
 * ```ts
 * import { parseOutputPath, pick } from "./json-path.js"
 * const path = parseOutputPath("choices.0.message.content") // Either.right(["choices", "0", "message", "content"])
 * pick({ choices: [{ message: { content: "hi" } }] }, path.right) // Option.some("hi")
 * ```
 */
import { Either, Option } from "effect"

const STEP = /^(?:\.?([^.[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\])/

/**
 * The steps of a path, or why it cannot be read.
 *
 * @example
 * ```ts
 * parseOutputPath("$.data[0]") // Either.right(["data", "0"])
 * ```
 */
export const parseOutputPath = (text: string): Either.Either<ReadonlyArray<string>, string> => {
  let rest = text.trim().replace(/^\$(?=[.[]|$)/, "")
  const steps: Array<string> = []
  while (rest !== "") {
    const match = STEP.exec(rest)
    if (match === null || match[0] === "" || (steps.length === 0 && match[0].startsWith(".") && text.trim()[0] !== "$")) {
      return Either.left(`expected a path such as choices.0.message.content or $.answer, got ${JSON.stringify(text)}`)
    }
    steps.push(match[1] ?? match[2] ?? match[3]!.replace(/\\(.)/g, "$1"))
    rest = rest.slice(match[0].length)
  }
  return Either.right(steps)
}

/**
 * The value at `steps` in a JSON value (none when a step is missing).
 *
 * @example
 * ```ts
 * pick({ a: [1, 2] }, ["a", "1"]) // Option.some(2)
 * ```
 */
export const pick = (value: unknown, steps: ReadonlyArray<string>): Option.Option<unknown> => {
  let current: unknown = value
  for (const step of steps) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, step)) return Option.none()
    if (Array.isArray(current) && !/^\d+$/.test(step)) return Option.none() // `length` is no member of a JSON array
    current = (current as Record<string, unknown>)[step]
  }
  return current === undefined ? Option.none() : Option.some(current)
}
