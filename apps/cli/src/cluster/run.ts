/**
 * `assay run <dataset> --cluster <postgres-url>` (and `assay resume <run> --cluster <postgres-url>`): the run
 * is recorded in the cluster's Postgres run store, its lease held by this process, and its cases evaluated by
 * the cluster's runners (`assay runner`) — and by this process too with `--cluster-local-runner` — while this
 * process shows progress and writes the reports as on one machine.
 *
 * @example
 * ```ts
 * runOnCluster(url, false, { plan, resume: undefined, outputs })
 * ```
 */
import { ClaimedResults } from "@assay/store"
import { Config, Effect, Layer, type Redacted } from "effect"
import { createServer } from "node:net"
import { UsageError } from "../errors.js"
import { type Distribute, execute, type Execution } from "../run/execute.js"
import { storeLayer } from "../run/store.js"
import { withClusterDatabase } from "./database.js"
import { caseGroupHandlers } from "./evaluate-group.js"
import { clusterLayer, runnerName, type RunnerListen } from "./layer.js"
import { distributeOverCluster } from "./submit.js"

/** A free TCP port on the loopback interface (the local runner's default). */
const freePort = Effect.async<number>((resume) => {
  const probe = createServer()
  probe.listen(0, "127.0.0.1", () => {
    const { port } = probe.address() as { port: number }
    probe.close(() => resume(Effect.succeed(port)))
  })
})

/** Where the local runner listens: `ASSAY_RUNNER_HOST` (default 127.0.0.1), `ASSAY_RUNNER_PORT` (default a free port). */
const localAddress: Effect.Effect<RunnerListen, UsageError> = Effect.gen(function*() {
  const host = yield* Config.string("ASSAY_RUNNER_HOST").pipe(Config.withDefault("127.0.0.1"))
  const port = yield* Config.option(Config.port("ASSAY_RUNNER_PORT"))
  return { host, port: port._tag === "Some" ? port.value : yield* freePort }
}).pipe(Effect.mapError((e) => new UsageError({ message: `ASSAY_RUNNER_HOST / ASSAY_RUNNER_PORT: ${e.message}` })))

/**
 * Run `body` with the cluster at `url`: the run store is the cluster's Postgres, and `body` gets the
 * {@link Distribute} that hands a run's cases to the cluster's runners (and to this process with `localRunner`).
 *
 * @example
 * ```ts
 * yield* onCluster(url, false, (distribute) => execute({ plan, resume: undefined, outputs, distribute }))
 * ```
 */
export const onCluster = <A, E, R>(
  url: Redacted.Redacted,
  localRunner: boolean,
  body: (distribute: Distribute) => Effect.Effect<A, E, R>
) =>
  withClusterDatabase("--cluster", url, (database, checked) =>
    Effect.gen(function*() {
      const address = localRunner ? yield* localAddress : undefined
      const client = clusterLayer(checked, address)
      const sharding = address === undefined ? client : Layer.merge(client, caseGroupHandlers(runnerName(address)).pipe(Layer.provide(client)))
      return yield* body(distributeOverCluster(sharding)).pipe(
        Effect.provide(Layer.provideMerge(ClaimedResults.Default, storeLayer(database)))
      )
    }))

/**
 * Execute `execution` with its cases on the cluster at `url`.
 *
 * @example
 * ```ts
 * yield* runOnCluster(url, true, { plan, resume: undefined, outputs })
 * ```
 */
export const runOnCluster = (url: Redacted.Redacted, localRunner: boolean, execution: Execution) =>
  onCluster(url, localRunner, (distribute) =>
    execution.plan.record !== null
      ? Effect.fail(new UsageError({
        message: "--record cannot be combined with --cluster (each runner would write its own file): record on one machine, then --replay the file on the cluster"
      }))
      : execute({ ...execution, distribute }))
