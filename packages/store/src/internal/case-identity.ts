/**
 * A case's identity across runs: its `name` when it has one, else a hash of its input side (input, expected
 * output, context, retrieval context, expected tools and the conversation's user turns) — never its position,
 * actual output or scores, so inserting a case or changing an answer does not re-label the others.
 *
 * @example
 * ```ts
 * caseIdentity(result) // "name:capital of France" or "hash:3f2a…"
 * ```
 */
import { createHash } from "node:crypto"
import type { CaseResult } from "@assay/core"

/**
 * The identity key of a stored case result. Results stored before cases kept their content fall back to their
 * position (`index:12`), the only identity they have.
 *
 * @example
 * ```ts
 * caseIdentity({ ...result, name: "greeting" }) // "name:greeting"
 * ```
 */
export const caseIdentity = (result: CaseResult): string => {
  const name = result.name ?? result.testCase?.name
  if (name !== undefined && name !== null && name !== "") return `name:${name}`
  const tc = result.testCase
  if (tc === undefined) return `index:${result.index}`
  const inputSide = [
    tc.input ?? null,
    tc.expectedOutput ?? null,
    tc.context ?? null,
    tc.retrievalContext ?? null,
    tc.expectedTools ?? null,
    tc.turns?.filter((t) => t.role === "user").map((t) => t.content) ?? null,
    tc.scenario ?? null
  ]
  return `hash:${createHash("sha256").update(JSON.stringify(inputSide)).digest("base64url").slice(0, 22)}`
}
