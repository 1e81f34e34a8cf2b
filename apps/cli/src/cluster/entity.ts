/**
 * The cluster entity a sharded run is made of: one `CaseGroup` per contiguous range of a run's cases (entity
 * id `<runId>/<first index>`, so the run's groups hash to shards spread over every runner). Its one request,
 * `Evaluate`, carries the group's test cases and is persisted in the cluster's Postgres message storage: a
 * request whose runner dies before replying is delivered again to the shard's next owner, and its primary key
 * makes a re-submitted group (an `assay resume` of the run) join the stored request instead of adding one.
 *
 * @example
 * ```ts
 * const client = yield* CaseGroup.client
 * const reply = yield* client(groupId(runId, 0)).Evaluate({ runId, start: 0, cases })
 * ```
 */
import { ClusterSchema, Entity } from "@effect/cluster"
import { Rpc } from "@effect/rpc"
import { TestCase } from "@assay/core"
import { Schema } from "effect"

/**
 * A group could not be evaluated (the run's plan cannot be read, a metric failed the run…).
 *
 * @example
 * ```ts
 * new GroupFailed({ message: "run 20261205-… is not in the store" })
 * ```
 */
export class GroupFailed extends Schema.TaggedError<GroupFailed>()("GroupFailed", { message: Schema.String }) {}

/**
 * What a runner did with a group: how many cases it evaluated and stored, and how many it found already
 * stored (by a runner that died after committing them, or an earlier attempt of the run).
 *
 * @example
 * ```ts
 * const done: GroupDone = { runner: "127.0.0.1:34431", evaluated: 48, reused: 2 }
 * ```
 */
export const GroupDone = Schema.Struct({ runner: Schema.String, evaluated: Schema.Number, reused: Schema.Number })
export type GroupDone = typeof GroupDone.Type

/**
 * Evaluate one group of a stored run's cases; `start` is the input index of `cases[0]`.
 *
 * @example
 * ```ts
 * Evaluate.payloadSchema // { runId, start, cases }
 * ```
 */
export const Evaluate = Rpc.make("Evaluate", {
  payload: { runId: Schema.String, start: Schema.Number, cases: Schema.Array(TestCase) },
  success: GroupDone,
  error: GroupFailed,
  primaryKey: ({ runId, start }) => `${runId}/${start}`
}).annotate(ClusterSchema.Persisted, true)

/**
 * The entity; see the module doc.
 *
 * @example
 * ```ts
 * CaseGroup.toLayer(handlers)
 * ```
 */
export const CaseGroup = Entity.make("assay/CaseGroup", [Evaluate])

/**
 * The entity id of the group of `runId` that starts at case `start`.
 *
 * @example
 * ```ts
 * groupId("20261205-101500-ab12", 150) // "20261205-101500-ab12/150"
 * ```
 */
export const groupId = (runId: string, start: number): string => `${runId}/${start}`
