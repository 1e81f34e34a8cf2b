/**
 * `assay metrics`: every metric id with its description, the test-case fields it needs, whether it needs a judge,
 * and its parameters (from the factories' paramsDoc).
 *
 * @example
 * ```sh
 * assay metrics
 * ```
 */
import { Command } from "@effect/cli"
import { Console } from "effect"
import { catalog, judgeCatalog, requiredFields } from "../metrics/catalog.js"

/**
 * The metric list as text.
 *
 * @example
 * ```ts
 * metricsText().includes("exact-match") // true
 * ```
 */
export const metricsText = (): string =>
  catalog.map((factory) => {
    const judged = judgeCatalog.includes(factory)
    const head = `${factory.id}${judged ? " (needs --judge)" : ""}\n  ${factory.description}\n` +
      `  needs: ${requiredFields(factory)}; judge: ${judged ? "yes" : "no"}`
    const params = factory.paramsDoc.map((p) =>
      `    ${p.name}: ${p.type}${p.default !== undefined ? ` = ${p.default}` : ""} — ${p.description}`)
    return [head, ...params].join("\n")
  }).join("\n\n")

/**
 * The `metrics` command.
 *
 * @example
 * ```ts
 * Command.make("assay").pipe(Command.withSubcommands([metricsCommand]))
 * ```
 */
export const metricsCommand = Command.make("metrics", {}, () => Console.log(metricsText())).pipe(
  Command.withDescription("List every metric id with its parameters")
)
