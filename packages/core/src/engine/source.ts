/**
 * Where cases come from: an in-memory iterable or a Stream (large datasets are streamed, never fully loaded).
 *
 * @example
 * ```ts
 * evaluate([caseA, caseB], metrics)                    // array
 * evaluate(Stream.fromIterable(cases), metrics)        // stream (e.g. a JSONL reader)
 * ```
 */
import { Chunk, Effect, Stream } from "effect"
import type { TestCase } from "../model/test-case.js"

/**
 * A source of cases.
 *
 * @since 0.1.0
 */
export type CaseSource<E = never, R = never> = Iterable<TestCase> | Stream.Stream<TestCase, E, R>

/**
 * Visit the cases in order, in slices of at most `size`; `firstIndex` is the input index of the slice's first
 * case. Stream chunks are split, never merged (a slow stream is never waited on to fill a slice), and an
 * iterable that is not an array (a generator) is pulled a slice at a time, never materialized.
 *
 * @example
 * ```ts
 * forEachSlice(cases, 256, (slice, firstIndex) => Effect.log(`${slice.length} cases from ${firstIndex}`))
 * ```
 * @since 0.1.0
 */
export const forEachSlice = <E, R, E2, R2>(
  source: CaseSource<E, R>,
  size: number,
  visit: (slice: ReadonlyArray<TestCase>, firstIndex: number) => Effect.Effect<void, E2, R2>
): Effect.Effect<void, E | E2, R | R2> => {
  let index = 0
  const visitNext = (slice: ReadonlyArray<TestCase>) => {
    const first = index
    index += slice.length
    return visit(slice, first)
  }
  const visitAll = (cases: ReadonlyArray<TestCase>): Effect.Effect<void, E2, R2> => {
    if (cases.length <= size) return visitNext(cases)
    const starts: Array<number> = []
    for (let i = 0; i < cases.length; i += size) starts.push(i)
    return Effect.forEach(starts, (start) => visitNext(cases.slice(start, start + size)), { discard: true })
  }
  if (Stream.StreamTypeId in source) {
    return Stream.runForEachChunk(source as Stream.Stream<TestCase, E, R>, (chunk) => visitAll(Chunk.toReadonlyArray(chunk)))
  }
  if (Array.isArray(source)) return Effect.suspend(() => visitAll(source))
  return Effect.suspend(() => {
    const iterator = (source as Iterable<TestCase>)[Symbol.iterator]()
    const pull = (): Effect.Effect<void, E2, R2> => {
      const slice: Array<TestCase> = []
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        slice.push(next.value)
        if (slice.length === size) break
      }
      return slice.length === 0 ? Effect.void : Effect.zipRight(visitNext(slice), Effect.suspend(pull))
    }
    return pull()
  })
}

/**
 * Visit every case in order with its input index; `visit` runs sequentially (it applies back-pressure).
 *
 * @example
 * ```ts
 * forEachCase(cases, (testCase, index) => Effect.log(index))
 * ```
 * @since 0.1.0
 */
export const forEachCase = <E, R, E2, R2>(
  source: CaseSource<E, R>,
  visit: (testCase: TestCase, index: number) => Effect.Effect<void, E2, R2>
): Effect.Effect<void, E | E2, R | R2> =>
  forEachSlice(source, 1024, (slice, firstIndex) =>
    Effect.forEach(slice, (testCase, j) => visit(testCase, firstIndex + j), { discard: true }))

/**
 * The number of cases when it is known without reading the source (arrays), else undefined.
 *
 * @example
 * ```ts
 * knownSize([a, b]) // 2
 * ```
 * @since 0.1.0
 */
export const knownSize = (source: CaseSource<unknown, unknown>): number | undefined =>
  Array.isArray(source) ? source.length : undefined
