/**
 * Which case the current fiber works on: set by the engine's case worker around the task and the case's
 * metrics (and by the metric workers around each pooled metric), so a service a call goes through (a
 * recording, a log) can say which case a call belongs to. `None` outside a case.
 *
 * @example
 * ```ts
 * const where = Option.match(yield* FiberRef.get(CurrentCase), { onNone: () => "outside a case", onSome: describeCase })
 * ```
 */
import { FiberRef, Option } from "effect"

/**
 * A case in flight: its 0-based index in the dataset, its name when it has one, and the repetition (epoch)
 * being produced — 0 unless the run repeats its tasks.
 *
 * @example
 * ```ts
 * const c: CaseRef = { index: 3, name: "paris", repetition: 0 }
 * ```
 * @since 0.1.0
 */
export interface CaseRef {
  readonly index: number
  readonly name: string | undefined
  readonly repetition: number
}

/**
 * The case the current fiber works on, or `None` outside a case.
 *
 * @example
 * ```ts
 * Effect.locally(work, CurrentCase, Option.some({ index: 0, name: undefined, repetition: 0 }))
 * ```
 * @since 0.1.0
 */
export const CurrentCase: FiberRef.FiberRef<Option.Option<CaseRef>> = FiberRef.unsafeMake(Option.none<CaseRef>())

/**
 * A case as assay names it in messages: `#<index>` (0-based), then its name in quotes when it has one.
 *
 * @example
 * ```ts
 * describeCase({ index: 3, name: "paris", repetition: 0 }) // '#3 "paris"'
 * ```
 * @since 0.1.0
 */
export const describeCase = (ref: CaseRef): string => (ref.name === undefined ? `#${ref.index}` : `#${ref.index} "${ref.name}"`)
