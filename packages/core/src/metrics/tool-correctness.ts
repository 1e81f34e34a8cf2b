/**
 * `toolCorrectness`: how many of the expected tool calls the application made, by tool name and optionally
 * by arguments, output and order. Score = matched expected calls / expected calls; calls beyond those
 * expected are named in the reason but do not lower the score.
 *
 * - Unordered (default): the largest one-to-one matching between expected and actual calls (a bipartite
 *   matching, so a loosely specified expected call never steals the only partner of a stricter one).
 * - `considerOrder`: the longest common subsequence of the two call lists, so calls must come in order.
 * - `checkArguments` / `checkOutput`: an expected call that gives `inputParameters` / `output` matches only
 *   calls with deep-equal values (`fast-deep-equal`); one that leaves them out matches any.
 *
 * Only `expectedTools` is required: a case whose application called no tools (`toolsCalled` absent or empty)
 * is scored 0, not skipped.
 *
 * @example
 * ```ts
 * import { toolCorrectness } from "@assay/core"
 * const m = toolCorrectness({ considerOrder: true, checkArguments: true })
 * ```
 */
import equal from "fast-deep-equal"
import { Schema } from "effect"
import type { Outcome } from "../metric/metric.js"
import type { ToolCall } from "../model/tool-call.js"
import { type BaseOptions, deterministic, type MetricInfo } from "./define.js"
import { defineFactory, optional } from "./params.js"

const TOOL_CORRECTNESS: MetricInfo = { id: "tool-correctness", version: 1, defaultThreshold: 0.5 }

/**
 * Options of {@link toolCorrectness}.
 *
 * @example
 * ```ts
 * const o: ToolCorrectnessOptions = { considerOrder: true, checkArguments: true }
 * ```
 * @since 0.1.0
 */
export interface ToolCorrectnessOptions extends BaseOptions {
  /** Calls must happen in the expected order. Default false. */
  readonly considerOrder?: boolean | undefined
  /** Compare `inputParameters` where the expected call gives them. Default false. */
  readonly checkArguments?: boolean | undefined
  /** Compare `output` where the expected call gives it. Default false. */
  readonly checkOutput?: boolean | undefined
}

type Same = (expected: ToolCall, called: ToolCall) => boolean

/** Pairs (expected index, called index) of a maximum matching; Kuhn's augmenting paths (lists are short). */
const unorderedMatching = (expected: ReadonlyArray<ToolCall>, called: ReadonlyArray<ToolCall>, same: Same): Array<readonly [number, number]> => {
  const owner = new Array<number>(called.length).fill(-1)
  const tryAssign = (e: number, seen: Array<boolean>): boolean => {
    for (let c = 0; c < called.length; c++) {
      if (seen[c] || !same(expected[e]!, called[c]!)) continue
      seen[c] = true
      if (owner[c] === -1 || tryAssign(owner[c]!, seen)) {
        owner[c] = e
        return true
      }
    }
    return false
  }
  for (let e = 0; e < expected.length; e++) tryAssign(e, new Array<boolean>(called.length).fill(false))
  return owner.flatMap((e, c) => (e === -1 ? [] : [[e, c] as const]))
}

/** Pairs of a longest common subsequence under `same` (full table: tool lists are short). */
const orderedMatching = (expected: ReadonlyArray<ToolCall>, called: ReadonlyArray<ToolCall>, same: Same): Array<readonly [number, number]> => {
  const n = expected.length
  const m = called.length
  const table = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = same(expected[i]!, called[j]!) ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!)
    }
  }
  const pairs: Array<readonly [number, number]> = []
  for (let i = 0, j = 0; i < n && j < m;) {
    if (same(expected[i]!, called[j]!) && table[i]![j] === table[i + 1]![j + 1]! + 1) pairs.push([i++, j++])
    else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++
    else j++
  }
  return pairs
}

const names = (calls: ReadonlyArray<ToolCall>): string => calls.map((c) => c.name).join(", ")

/**
 * Score tool calls against expected ones; see the module doc.
 *
 * @example
 * ```ts
 * scoreToolCalls([{ name: "search" }], [{ name: "search" }, { name: "delete" }], { considerOrder: false, checkArguments: false, checkOutput: false })
 * // { score: 1, reason: "matched 1/1 expected tool calls; extra: delete" }
 * ```
 * @since 0.1.0
 */
export const scoreToolCalls = (
  expected: ReadonlyArray<ToolCall>,
  called: ReadonlyArray<ToolCall>,
  options: { readonly considerOrder: boolean; readonly checkArguments: boolean; readonly checkOutput: boolean }
): Outcome => {
  const same: Same = (e, c) =>
    e.name === c.name &&
    (!options.checkArguments || e.inputParameters === undefined || equal(e.inputParameters, c.inputParameters ?? {})) &&
    (!options.checkOutput || e.output === undefined || equal(e.output, c.output))
  const pairs = (options.considerOrder ? orderedMatching : unorderedMatching)(expected, called, same)
  const matchedExpected = new Set(pairs.map(([e]) => e))
  const matchedCalled = new Set(pairs.map(([, c]) => c))
  const missing = expected.filter((_, i) => !matchedExpected.has(i))
  const extra = called.filter((_, i) => !matchedCalled.has(i))
  const parts = [`matched ${pairs.length}/${expected.length} expected tool calls`]
  if (missing.length > 0) parts.push(`missing: ${names(missing)}`)
  if (extra.length > 0) parts.push(`extra: ${names(extra)}`)
  const differing = missing.filter((e) => extra.some((c) => c.name === e.name))
  if (differing.length > 0) parts.push(`called but ${[options.checkArguments && "arguments", options.checkOutput && "output", options.considerOrder && "order"].filter(Boolean).join("/")} differ: ${names(differing)}`)
  return { score: expected.length === 0 ? 1 : pairs.length / expected.length, reason: parts.join("; ") }
}

/**
 * Tool-call correctness of a single-turn case. Default threshold 0.5.
 *
 * @example
 * ```ts
 * toolCorrectness({ checkArguments: true, threshold: 1 })
 * ```
 * @since 0.1.0
 */
export const toolCorrectness = (options: ToolCorrectnessOptions = {}) => {
  const config = {
    considerOrder: options.considerOrder ?? false,
    checkArguments: options.checkArguments ?? false,
    checkOutput: options.checkOutput ?? false
  }
  return deterministic({
    ...TOOL_CORRECTNESS,
    options,
    config,
    requires: ["expectedTools"],
    score: (c) => scoreToolCalls(c.expectedTools ?? [], c.toolsCalled ?? [], config)
  })
}

/**
 * Factory for `tool-correctness`.
 *
 * @example
 * ```ts
 * toolCorrectnessFactory.make({ considerOrder: true })
 * ```
 * @since 0.1.0
 */
export const toolCorrectnessFactory = defineFactory({
  ...TOOL_CORRECTNESS,
  description: "fraction of the expected tool calls that were made (by name; optionally arguments, output, order)",
  fields: {
    considerOrder: optional(Schema.Boolean),
    checkArguments: optional(Schema.Boolean),
    checkOutput: optional(Schema.Boolean)
  },
  docs: [
    { name: "considerOrder", type: "boolean", default: "false", description: "calls must come in the expected order (LCS)" },
    { name: "checkArguments", type: "boolean", default: "false", description: "inputParameters must deep-equal where expected ones are given" },
    { name: "checkOutput", type: "boolean", default: "false", description: "output must deep-equal where an expected one is given" }
  ],
  make: toolCorrectness
})
