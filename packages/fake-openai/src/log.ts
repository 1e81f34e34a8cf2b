/**
 * The fake server's request log: what arrived, when, how it was answered, and how many requests were in
 * flight. Tests assert on it (connection caps, retry spacing, request counts).
 *
 * @example
 * ```ts
 * const log = yield* server.log
 * assert.isAtMost(Math.max(...log.map((e) => e.inFlight)), 5)
 * ```
 */
import { Effect } from "effect"
import type { LoggedImage } from "./judge-scripts.js"

/**
 * One request as the server saw it. The Authorization header is never recorded.
 *
 * @example
 * ```ts
 * const retried = (yield* server.log).filter((e: LogEntry) => e.status === 429)
 * ```
 */
export interface LogEntry {
  /** 1-based arrival order. */
  readonly seq: number
  readonly path: string
  /** The HTTP method, where it tells routes apart (the batch APIs: `POST /v1/batches` creates, `GET` polls). */
  readonly method?: string | undefined
  /** Clock time (ms) when the request arrived. */
  readonly arrivedAt: number
  /** Requests in flight when this one arrived, itself included. */
  readonly inFlight: number
  readonly status: number
  readonly model: string | undefined
  readonly lastUserMessage: string | undefined
  /** The image parts of the last user message (media type and size, or URL). */
  readonly images?: ReadonlyArray<LoggedImage> | undefined
}

/**
 * Mutable counters behind the server; only touched through Effects.
 *
 * @example
 * ```ts
 * const log = new RequestLog()
 * const { seq } = yield* log.arrive
 * ```
 */
export class RequestLog {
  private readonly entries: Array<LogEntry> = []
  private arrivals = 0
  private current = 0
  private peak = 0
  private readonly accepted: Array<number> = []
  private abandonedCount = 0

  /** Registers an arrival; returns its sequence number and the in-flight count including it. */
  readonly arrive = Effect.sync(() => {
    this.arrivals++
    this.current++
    this.peak = Math.max(this.peak, this.current)
    return { seq: this.arrivals, inFlight: this.current }
  })

  /** Marks a request as answered. */
  readonly depart = Effect.sync(() => {
    this.current--
  })

  /** Counts a request whose client went away before its reply was sent (called from the HTTP layer). */
  readonly abandon = () => {
    this.abandonedCount++
  }

  /** How many requests were abandoned by their client: aborted calls, attempts past their timeout. */
  readonly abandoned = Effect.sync(() => this.abandonedCount)

  /** Appends a request whose reply is decided. */
  readonly record = (entry: LogEntry) => Effect.sync(() => void this.entries.push(entry))

  /**
   * Rolling one-second admission: admits the request at `now` if fewer than `limit` were admitted in the last
   * second (with the remaining budget and the milliseconds until the oldest admission leaves the window);
   * otherwise returns the milliseconds until a slot frees up.
   */
  readonly admit = (now: number, limit: number) =>
    Effect.sync((): { readonly admitted: true; readonly remaining: number; readonly resetMs: number } | { readonly admitted: false; readonly waitMs: number } => {
      while (this.accepted.length > 0 && this.accepted[0]! <= now - 1000) this.accepted.shift()
      if (this.accepted.length < limit) {
        this.accepted.push(now)
        return { admitted: true, remaining: limit - this.accepted.length, resetMs: Math.max(1, this.accepted[0]! + 1000 - now) }
      }
      return { admitted: false, waitMs: Math.max(1, this.accepted[this.accepted.length - limit]! + 1000 - now) }
    })

  /** Every request recorded so far (once its reply was decided), in arrival order. */
  readonly snapshot = Effect.sync((): ReadonlyArray<LogEntry> => [...this.entries].sort((a, b) => a.seq - b.seq))

  /** The most requests ever in flight at once. */
  readonly maxInFlight = Effect.sync(() => this.peak)

  /** Forgets everything (between test phases). */
  readonly reset = Effect.sync(() => {
    this.entries.length = 0
    this.accepted.length = 0
    this.arrivals = 0
    this.abandonedCount = 0
    this.peak = this.current
  })
}
