/**
 * Opening a Postgres database (`Database.layerPg`). A module of its own, imported dynamically: node-postgres and
 * @effect/sql-pg take a noticeable share of start-up, and a run on SQLite never needs them.
 *
 * @example
 * ```ts
 * const db = yield* Effect.flatMap(Effect.promise(() => import("./pg.js")), (pg) => pg.openPg({ url }))
 * ```
 */
import type * as Reactivity from "@effect/experimental/Reactivity"
import { PgClient } from "@effect/sql-pg"
import { Duration, Effect, type Scope } from "effect"
import Pg from "pg"
import { classify } from "./classify.js"
import { type DatabaseApi, displayUrl, type PgDatabaseOptions, prepare } from "./database.js"
import type { StoreError } from "./errors.js"

const INT8 = 20
const NUMERIC = 1700
/** node-postgres's parsers, but 64-bit integers and numerics as JavaScript numbers. */
const pgTypeParser = ((oid: number, format?: "text" | "binary") =>
  oid === INT8 || oid === NUMERIC ? (text: string) => Number(text) : Pg.types.getTypeParser(oid, format as "text")) as typeof Pg.types.getTypeParser

/**
 * Connect to Postgres, apply settings and migrations.
 *
 * @example
 * ```ts
 * Layer.scoped(Database, openPg({ url }))
 * ```
 */
export const openPg = (options: PgDatabaseOptions): Effect.Effect<DatabaseApi, StoreError, Reactivity.Reactivity | Scope.Scope> => {
  const name = displayUrl(options.url)
  return PgClient.make({
    url: options.url,
    connectTimeout: options.connectTimeout ?? Duration.seconds(5),
    applicationName: "assay",
    // 64-bit integers (millisecond timestamps, COUNT, SUM) as numbers rather than strings: every value the
    // store keeps is far below 2^53.
    types: { getTypeParser: pgTypeParser }
  }).pipe(
    Effect.mapError((e) => classify(name, e)),
    Effect.flatMap((sql) => prepare(sql, name, 0))
  )
}

