/**
 * The fake OpenAI-compatible (and Anthropic Messages) server as a scoped resource: `FakeOpenAi.make(config)` listens on 127.0.0.1
 * (port 0 → a free port) and closes when its Scope closes. Requests are handled by Effects forked into a
 * FiberSet owned by the same Scope, so closing it also interrupts requests still sleeping.
 *
 * @example
 * ```ts
 * Effect.scoped(Effect.gen(function*() {
 *   const server = yield* FakeOpenAi.make({ latency: "50 millis" })
 *   // point a client at server.baseUrl ("http://127.0.0.1:PORT/v1")
 *   const log = yield* server.log
 * }))
 * ```
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { Effect, FiberSet, type Scope } from "effect"
import type { FakeOpenAiConfig } from "./config.js"
import { BatchStore, handleBatch } from "./batches.js"
import { type FakeReply, handle } from "./handler.js"
import { type LogEntry, RequestLog } from "./log.js"

/**
 * A running fake server.
 *
 * @example
 * ```ts
 * const server: FakeOpenAiServer = yield* FakeOpenAi.make({})
 * const peak = yield* server.maxInFlight
 * ```
 */
export interface FakeOpenAiServer {
  readonly port: number
  /** `http://127.0.0.1:PORT/v1`, the base URL clients use (Anthropic clients: `http://127.0.0.1:PORT`). */
  readonly baseUrl: string
  /** Every request, in arrival order, recorded once its reply is decided (before the latency is waited out). */
  readonly log: Effect.Effect<ReadonlyArray<LogEntry>>
  /** The most requests in flight at once so far. */
  readonly maxInFlight: Effect.Effect<number>
  /** Requests whose client closed the connection before the reply was sent (aborted or timed-out calls). */
  readonly abandoned: Effect.Effect<number>
  /** Batches created so far through either batch API (`POST /v1/batches`, `POST /v1/messages/batches`). */
  readonly batchesCreated: Effect.Effect<number>
  /** Clears the log and the peak. */
  readonly reset: Effect.Effect<void>
}

const send = (res: ServerResponse, reply: FakeReply) => {
  const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body)
  res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers })
  res.end(body)
}

const listen = (server: Server, port: number) =>
  Effect.async<number>((resume) => {
    server.listen(port, "127.0.0.1", () => resume(Effect.succeed((server.address() as AddressInfo).port)))
  })

const close = (server: Server) =>
  Effect.async<void>((resume) => {
    server.close(() => resume(Effect.void))
    server.closeAllConnections()
  })

/**
 * Start a fake server in the current Scope.
 *
 * @example
 * ```ts
 * const server = yield* make({ rateLimit: { requestsPerSecond: 200 } })
 * ```
 */
export const make = (config: FakeOpenAiConfig = {}): Effect.Effect<FakeOpenAiServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const log = new RequestLog()
    const batches = new BatchStore()
    const run = yield* FiberSet.makeRuntime<never, void>()
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Array<Buffer> = []
      res.on("close", () => {
        if (!res.writableEnded) log.abandon()
      })
      req.on("data", (chunk: Buffer) => chunks.push(chunk))
      req.on("end", () => {
        // Anthropic's `x-api-key`, Gemini's `x-goog-api-key`.
        const apiKey = req.headers["x-api-key"] ?? req.headers["x-goog-api-key"]
        const request = {
          method: req.method ?? "GET",
          path: (req.url ?? "/").split("?")[0]!,
          authorization: req.headers.authorization,
          apiKey: typeof apiKey === "string" ? apiKey : undefined,
          contentType: req.headers["content-type"],
          body: Buffer.concat(chunks).toString("utf8")
        }
        // `GET /_fake/log`: the request log as JSON, for tests that run the server in another process;
        // `GET /_fake/batches`: how many batches were created.
        const reply = request.method === "GET" && request.path === "/_fake/log"
          ? Effect.map(log.snapshot, (entries): FakeReply => ({ status: 200, headers: {}, body: entries }))
          : request.method === "GET" && request.path === "/_fake/batches"
          ? Effect.sync((): FakeReply => ({ status: 200, headers: {}, body: { created: batches.created } }))
          : handleBatch(config, log, batches, request) ?? handle(config, log, request)
        run(reply.pipe(Effect.flatMap((reply) => Effect.sync(() => send(res, reply)))))
      })
    }
    const server = yield* Effect.acquireRelease(
      Effect.sync(() => createServer({ keepAlive: true }, onRequest)),
      close
    )
    const port = yield* listen(server, config.port ?? 0)
    batches.origin = `http://127.0.0.1:${port}`
    return {
      port,
      baseUrl: `http://127.0.0.1:${port}/v1`,
      log: log.snapshot,
      maxInFlight: log.maxInFlight,
      abandoned: log.abandoned,
      batchesCreated: Effect.sync(() => batches.created),
      reset: log.reset
    }
  })
