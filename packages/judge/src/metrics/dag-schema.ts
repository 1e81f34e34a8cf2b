/**
 * The DAG metric's decision tree as data: node types, the Schema that decodes a tree from a config file (JSON or
 * YAML), and the checks a Schema cannot express, each reported with the path of the node (and its `id` when it
 * has one) so a bad tree in a config file points at the node to fix.
 *
 * Nodes:
 * - `task`: the judge carries out `instructions` on the case and writes a text; it is kept under `label` and
 *   shown to every node below; then `then`.
 * - `binary`: the judge answers `criteria` with true or false; then `yes` or `no`.
 * - `choice`: the judge picks one of the `options`' verdicts for `criteria`; then that option's `then`.
 * - `verdict`: a leaf with a fixed `score` in [0, 1].
 * - `g-eval`: a leaf scored by G-Eval (criteria or evaluation steps) over the case and the task outputs so far.
 *
 * @example
 * ```ts
 * const root: DagNode = { type: "binary", criteria: "Does the output answer in French?",
 *   yes: { type: "verdict", score: 1 }, no: { type: "verdict", score: 0 } }
 * validateDag(root) // []
 * ```
 */
import type { CaseField } from "@assay/core"
import { Schema } from "effect"

/** Case fields a DAG node may show the judge. */
const DagField = Schema.Literal("input", "actualOutput", "expectedOutput", "context", "retrievalContext", "toolsCalled", "expectedTools")

/**
 * A task node; see the module doc.
 *
 * @example
 * ```ts
 * const t: DagTask = { type: "task", instructions: "List the headings", label: "headings", then: leaf }
 * ```
 * @since 0.1.0
 */
export interface DagTask {
  readonly type: "task"
  readonly id?: string | undefined
  readonly instructions: string
  readonly label: string
  readonly evaluationParams?: ReadonlyArray<CaseField> | undefined
  readonly then: DagNode
}

/**
 * A binary judgement node; see the module doc.
 *
 * @example
 * ```ts
 * const b: DagBinary = { type: "binary", criteria: "Is it polite?", yes: good, no: bad }
 * ```
 * @since 0.1.0
 */
export interface DagBinary {
  readonly type: "binary"
  readonly id?: string | undefined
  readonly criteria: string
  readonly evaluationParams?: ReadonlyArray<CaseField> | undefined
  readonly yes: DagNode
  readonly no: DagNode
}

/**
 * A multiple-choice judgement node; see the module doc.
 *
 * @example
 * ```ts
 * const c: DagChoice = { type: "choice", criteria: "Tone?", options: [{ verdict: "formal", then: a }, { verdict: "casual", then: b }] }
 * ```
 * @since 0.1.0
 */
export interface DagChoice {
  readonly type: "choice"
  readonly id?: string | undefined
  readonly criteria: string
  readonly evaluationParams?: ReadonlyArray<CaseField> | undefined
  readonly options: ReadonlyArray<{ readonly verdict: string; readonly then: DagNode }>
}

/**
 * A leaf with a fixed score; see the module doc.
 *
 * @example
 * ```ts
 * const v: DagVerdict = { type: "verdict", score: 0.5, reason: "partly formatted" }
 * ```
 * @since 0.1.0
 */
export interface DagVerdict {
  readonly type: "verdict"
  readonly id?: string | undefined
  readonly score: number
  readonly reason?: string | undefined
}

/**
 * A leaf scored by G-Eval; see the module doc.
 *
 * @example
 * ```ts
 * const g: DagGEval = { type: "g-eval", criteria: "How clear is the summary?" }
 * ```
 * @since 0.1.0
 */
export interface DagGEval {
  readonly type: "g-eval"
  readonly id?: string | undefined
  readonly criteria?: string | undefined
  readonly evaluationSteps?: ReadonlyArray<string> | undefined
  readonly evaluationParams?: ReadonlyArray<CaseField> | undefined
}

/**
 * Any DAG node.
 *
 * @example
 * ```ts
 * const leaf: DagNode = { type: "verdict", score: 1 }
 * ```
 * @since 0.1.0
 */
export type DagNode = DagTask | DagBinary | DagChoice | DagVerdict | DagGEval

const id = Schema.optional(Schema.String.pipe(Schema.minLength(1)))
const text = Schema.String.pipe(Schema.minLength(1))
const params = Schema.optional(Schema.NonEmptyArray(DagField))
const child = Schema.suspend((): Schema.Schema<DagNode> => DagNodeSchema)

/**
 * The Schema of a DAG node (recursive; unknown keys are errors when decoded with `onExcessProperty: "error"`).
 *
 * @example
 * ```ts
 * Schema.decodeUnknownEither(DagNodeSchema)({ type: "verdict", score: 2 }) // Left: score: Expected a number between 0 and 1
 * ```
 * @since 0.1.0
 */
export const DagNodeSchema: Schema.Schema<DagNode> = Schema.Union(
  Schema.Struct({ type: Schema.Literal("task"), id, instructions: text, label: text, evaluationParams: params, then: child }),
  Schema.Struct({ type: Schema.Literal("binary"), id, criteria: text, evaluationParams: params, yes: child, no: child }),
  Schema.Struct({
    type: Schema.Literal("choice"),
    id,
    criteria: text,
    evaluationParams: params,
    options: Schema.Array(Schema.Struct({ verdict: text, then: child }))
  }),
  Schema.Struct({ type: Schema.Literal("verdict"), id, score: Schema.Number.pipe(Schema.between(0, 1)), reason: Schema.optional(Schema.String) }),
  Schema.Struct({
    type: Schema.Literal("g-eval"),
    id,
    criteria: Schema.optional(text),
    evaluationSteps: Schema.optional(Schema.NonEmptyArray(text)),
    evaluationParams: params
  })
) as unknown as Schema.Schema<DagNode>

/**
 * A problem in a tree: where (the path from the metric's params) and what.
 *
 * @example
 * ```ts
 * const issue: DagIssue = { path: ["root", "yes"], message: "…" }
 * ```
 * @since 0.1.0
 */
export interface DagIssue {
  readonly path: ReadonlyArray<PropertyKey>
  readonly message: string
}

/**
 * The deepest tree accepted: deeper is almost surely a generated or mistaken tree, and each level is a judge call.
 *
 * @since 0.1.0
 */
export const MAX_DAG_DEPTH = 32

/**
 * A node's name for messages: `node "id" (root.yes)` or `node root.yes`.
 *
 * @example
 * ```ts
 * nodeName({ type: "verdict", score: 1, id: "pass" }, ["root", "yes"]) // 'node "pass" (root.yes)'
 * ```
 * @since 0.1.0
 */
export const nodeName = (node: DagNode, path: ReadonlyArray<PropertyKey>): string => {
  const where = path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "")
  return node.id === undefined ? `node ${where}` : `node "${node.id}" (${where})`
}

/**
 * The children of a node with their path steps.
 *
 * @since 0.1.0
 */
export const childrenOf = (node: DagNode): ReadonlyArray<readonly [ReadonlyArray<PropertyKey>, DagNode]> => {
  switch (node.type) {
    case "task":
      return [[["then"], node.then]]
    case "binary":
      return [[["yes"], node.yes], [["no"], node.no]]
    case "choice":
      return node.options.map((o, i) => [["options", i, "then"], o.then] as const)
    default:
      return []
  }
}

/** The problems of one node on its own. */
const nodeIssues = (node: DagNode, path: ReadonlyArray<PropertyKey>): ReadonlyArray<DagIssue> => {
  const at = (message: string, extra: ReadonlyArray<PropertyKey> = []) => ({ path: [...path, ...extra], message: `${nodeName(node, path)}: ${message}` })
  if (node.type === "choice") {
    if (node.options.length < 2) return [at(`a choice needs at least 2 options, it has ${node.options.length}`, ["options"])]
    const seen = new Set<string>()
    for (const [i, option] of node.options.entries()) {
      if (seen.has(option.verdict)) return [at(`the verdict "${option.verdict}" is listed twice`, ["options", i, "verdict"])]
      seen.add(option.verdict)
    }
  }
  if (node.type === "g-eval" && node.criteria === undefined && node.evaluationSteps === undefined) {
    return [at("a g-eval leaf needs criteria or evaluationSteps")]
  }
  return []
}

/**
 * Every problem of a tree the Schema cannot see: choice nodes with fewer than two or repeated verdicts, G-Eval
 * leaves without criteria or steps, repeated ids, a node that contains itself (trees built in code), and trees
 * deeper than {@link MAX_DAG_DEPTH}. Empty for a good tree.
 *
 * @example
 * ```ts
 * validateDag({ type: "choice", criteria: "c", options: [{ verdict: "a", then: leaf }] })
 * // [{ path: ["root", "options"], message: "node root: a choice needs at least 2 options, it has 1" }]
 * ```
 * @since 0.1.0
 */
export const validateDag = (root: DagNode, rootPath: ReadonlyArray<PropertyKey> = ["root"]): ReadonlyArray<DagIssue> => {
  const issues: Array<DagIssue> = []
  const ids = new Map<string, string>()
  const visit = (node: DagNode, path: ReadonlyArray<PropertyKey>, ancestors: ReadonlySet<DagNode>) => {
    if (ancestors.has(node)) return issues.push({ path, message: `${nodeName(node, path)}: the node contains itself (a cycle)` })
    if (ancestors.size >= MAX_DAG_DEPTH) return issues.push({ path, message: `${nodeName(node, path)}: the tree is deeper than ${MAX_DAG_DEPTH} levels` })
    issues.push(...nodeIssues(node, path))
    if (node.id !== undefined) {
      const first = ids.get(node.id)
      if (first !== undefined) issues.push({ path: [...path, "id"], message: `${nodeName(node, path)}: the id "${node.id}" is already used by the node at ${first}` })
      else ids.set(node.id, nodeName({ ...node, id: undefined }, path).replace(/^node /, ""))
    }
    const inner = new Set(ancestors).add(node)
    for (const [step, next] of childrenOf(node)) visit(next, [...path, ...step], inner)
  }
  visit(root, rootPath, new Set())
  return issues
}
