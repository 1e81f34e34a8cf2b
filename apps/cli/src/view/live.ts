/**
 * Live progress of a running run as Server-Sent Events (`GET /api/runs/:id/events`): the store is polled
 * every second and an event sent whenever the run's finished-case count or status changes; once the run is
 * no longer running, a last event is sent and the stream ends, so no connection outlives the run. The page
 * of a finished run never opens one.
 *
 * @example
 * ```ts
 * const events = progressEvents(views.progress, "20261123-214501-k3f9") // Stream<Uint8Array>
 * ```
 */
import { HttpLayerRouter, HttpServerResponse } from "@effect/platform"
import { type RunProgress, RunViews } from "@assay/store"
import { Duration, Effect, Schedule, Stream } from "effect"

const encoder = new TextEncoder()
const event = (name: string, data: unknown) => encoder.encode(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)

/** How often the store is polled for a running run's progress. */
const POLL = Duration.seconds(1)

/**
 * The event stream of one run; see the module doc. A read failure is sent as an `error` event, which ends the
 * stream.
 *
 * @example
 * ```ts
 * Stream.runCollect(progressEvents(views.progress, runId))
 * ```
 */
export const progressEvents = <E extends { readonly message: string }>(
  progress: (runId: string) => Effect.Effect<RunProgress, E>,
  runId: string
): Stream.Stream<Uint8Array> =>
  Stream.repeatEffectWithSchedule(progress(runId), Schedule.spaced(POLL)).pipe(
    Stream.changesWith((a, b) => a.finished === b.finished && a.status === b.status),
    Stream.takeUntil((p) => p.status !== "running"),
    Stream.map((p) => event("progress", p)),
    Stream.catchAll((e) => Stream.make(event("error", { message: e.message })))
  )

/**
 * The route serving {@link progressEvents}.
 *
 * @example
 * ```ts
 * Layer.mergeAll(ApiRoutes, LiveRoute)
 * ```
 */
export const LiveRoute = HttpLayerRouter.use((router) =>
  Effect.gen(function*() {
    const views = yield* RunViews
    yield* router.add("GET", "/api/runs/:id/events", Effect.gen(function*() {
      const { id } = yield* HttpLayerRouter.params
      return HttpServerResponse.stream(progressEvents(views.progress, id ?? ""), {
        contentType: "text/event-stream",
        headers: { "cache-control": "no-cache", "x-accel-buffering": "no" }
      })
    }))
  }))
