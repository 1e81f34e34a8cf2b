/**
 * The json-schema worker thread (started by ./json-pool.ts): receives one {@link JsonJob} at a time, compiles
 * its schema the first time it sees the schema's key, and answers with the outcome (or the message of an
 * unexpected throw). It holds no other state, so the engine may terminate it mid-validation and start another.
 *
 * @example
 * ```ts
 * new Worker(new URL("./json-worker.js", import.meta.url)).postMessage({ key: 1, schema: true, text: "1", stripCodeFence: false })
 * ```
 */
import type { ValidateFunction } from "ajv"
import { Either } from "effect"
import { parentPort } from "node:worker_threads"
import type { Outcome } from "../metric/metric.js"
import { compileSchema, scoreText } from "./json-validate.js"

/**
 * One validation: the schema's key (one per metric instance), the schema itself the first time this worker
 * gets that key, and the output.
 */
export interface JsonJob {
  readonly key: number
  readonly schema?: unknown
  readonly text: string
  readonly stripCodeFence: boolean
}

/** The answer to a {@link JsonJob}: an outcome, or why there is none. */
export type JsonReply = { readonly outcome: Outcome } | { readonly error: string }

const compiled = new Map<number, ValidateFunction>()

const answer = (job: JsonJob): JsonReply => {
  let validate = compiled.get(job.key)
  if (validate === undefined) {
    const result = compileSchema(job.schema)
    if (Either.isLeft(result)) return { error: result.left }
    validate = result.right
    compiled.set(job.key, validate)
  }
  const v = validate
  return Either.match(
    Either.try({ try: () => scoreText(v, job.text, job.stripCodeFence), catch: (e) => (e instanceof Error ? e.message : String(e)) }),
    { onLeft: (error) => ({ error }), onRight: (outcome) => ({ outcome }) }
  )
}

parentPort?.on("message", (job: JsonJob) => parentPort?.postMessage(answer(job)))
