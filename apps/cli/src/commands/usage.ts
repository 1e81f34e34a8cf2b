/**
 * What a person types, read before @effect/cli parses it:
 * - `--help` that fits a screen: a usage line, the command's description, then its arguments and options one
 *   line each (grouped for `run` and `resume`). Names and descriptions come from the commands' own @effect/cli
 *   definitions, so they cannot drift; only the layout is ours — @effect/cli's renderer prints four lines per
 *   option, including a generic type sentence ("A user-defined piece of text."), and has no compact mode.
 * - an unknown `--option` named with the closest known one;
 * - `--option=value`, which @effect/cli does not accept, split into `--option value`.
 *
 * @example
 * ```ts
 * import { helpText } from "./usage.js"
 * helpText(["run", "--help"]) // "Usage: assay run <dataset> [options]\n…"
 * ```
 */
import { CliConfig, CommandDescriptor, type HelpDoc } from "@effect/cli"
import type { Span } from "@effect/cli/HelpDoc/Span"
import { assay } from "../cli.js"
import { didYouMean } from "../suggest.js"

interface Line {
  readonly name: string
  readonly text: string
}

interface Sections {
  readonly description: ReadonlyArray<string>
  readonly args: ReadonlyArray<Line>
  readonly options: ReadonlyArray<Line>
}

/** Options every command accepts from @effect/cli itself; listed once, under "other". */
const BUILT_IN = new Set(["--completions", "--log-level", "--wizard", "--version", "-h, --help"])

/** The option groups of `run` (and the subset `resume` has), in display order. */
const GROUPS: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["input", ["--config", "--metric", "--judge", "--target", "--base-url", "--prompt-template", "--hyperparameter", "--identifier", "--strict-input", "--embedding-model"]],
  ["run", ["--concurrency", "--throttle", "--repeat", "--reducer", "--ignore-errors", "--skip-on-missing-params", "--max-errors"]],
  ["cost", ["--max-cost", "--batch", "--batch-poll"]],
  ["limits", ["--timeout", "--deadline", "--max-connections", "--rpm", "--tpm", "--max-retries", "--attempt-timeout", "--call-deadline"]],
  ["cache", ["--cache", "--no-cache", "--fresh-task", "--offline", "--record", "--replay"]],
  ["output", ["--out", "--jsonl", "--junit", "--html", "--no-progress", "--otel"]],
  ["cluster", ["--cluster", "--cluster-local-runner"]],
  ["gates", ["--min-pass-rate"]]
]

/** What an option's value looks like, where @effect/cli can only say "text"; and short forms of long value lists. */
const HINTS: Record<string, string> = Object.fromEntries([
  ...["--config", "--cache", "--out", "--jsonl", "--junit", "--html", "--record", "--replay"].map((f) => [f, `${f} <file>`]),
  ...["--concurrency", "--repeat", "--max-connections", "--rpm", "--tpm", "--max-retries", "--port"].map((f) => [f, `${f} <n>`]),
  ...["--throttle", "--timeout", "--deadline", "--older-than", "--attempt-timeout", "--call-deadline", "--batch-poll"].map((f) => [f, `${f} <duration>`]),
  ["--metric", "--metric <id>..."],
  ["--judge", "--judge <provider:model>"],
  ["--target", "--target <model|url|exec:cmd>"],
  ["--base-url", "--base-url <url>"],
  ["--prompt-template", "--prompt-template <text>"],
  ["--hyperparameter", "--hyperparameter <key=value>"],
  ["--identifier", "--identifier <name>"],
  ["--max-errors", "--max-errors <n|p%>"],
  ["--reducer", "--reducer mean|min|pass@k|pass^k"],
  ["--min-pass-rate", "--min-pass-rate <p%>"],
  ["--max-cost", "--max-cost <usd>"],
  ["--embedding-model", "--embedding-model <provider:model>"],
  ["--cluster", "--cluster <postgres-url>"],
  ["--otel", "--otel <url>"],
  ["--completions", "--completions <shell>"],
  ["--log-level", "--log-level <level>"]
])

const spanText = (span: Span): string => {
  switch (span._tag) {
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Text":
    case "URI":
      return span.value
    default:
      return spanText(span.value)
  }
}

const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> => {
  switch (doc._tag) {
    case "Sequence":
      return [...paragraphs(doc.left), ...paragraphs(doc.right)]
    case "Paragraph":
      return [spanText(doc.value)]
    default:
      return []
  }
}

/** An option's own description: @effect/cli puts a generic sentence on its type before it. */
const ownText = (doc: HelpDoc.HelpDoc): string => {
  const ps = paragraphs(doc)
  return (ps.length >= 2 ? ps[1] : ps[0]) ?? ""
}

/** The description, arguments and options of one command's help document. */
const sectionsOf = (doc: HelpDoc.HelpDoc): Sections => {
  const description: Array<string> = []
  const args: Array<Line> = []
  const options: Array<Line> = []
  let header = ""
  const walk = (d: HelpDoc.HelpDoc): void => {
    if (d._tag === "Sequence") {
      walk(d.left)
      walk(d.right)
    } else if (d._tag === "Header") header = spanText(d.value)
    else if (d._tag === "Paragraph" && header === "DESCRIPTION") description.push(spanText(d.value))
    else if (d._tag === "DescriptionList") {
      for (const [span, body] of d.definitions) {
        const name = spanText(span).replace(/^\((.*)\)$/, "$1")
        const flag = name.split(" ")[0]!
        const line = { name: HINTS[flag] ?? name.replace(/ text\b/, " <text>").replace(/ integer\b/, " <n>"), text: ownText(body) }
        ;(header === "ARGUMENTS" ? args : options).push(line)
      }
    }
  }
  walk(doc)
  return { description, args, options }
}

const flagName = (line: Line): string => line.name.startsWith("-h, ") ? line.name : line.name.split(" ")[0]!

const table = (lines: ReadonlyArray<Line>): Array<string> => {
  const width = Math.min(34, Math.max(...lines.map((l) => l.name.length)))
  return lines.map((l) => `  ${l.name.padEnd(width)}  ${l.text}`)
}

/**
 * A command descriptor's shape as @effect/cli 0.77 builds it. Its public `getSubcommands` flattens a nested
 * command (`runs list`) to its parent, so the tree is read from these fields instead.
 */
interface Node {
  readonly _tag: string
  readonly name?: string
  readonly command?: Node
  readonly parent?: Node
  readonly children?: ReadonlyArray<Node>
}

const unwrap = (node: Node): Node => node._tag === "Map" && node.command ? unwrap(node.command) : node
const nameOf = (node: Node): string => {
  const n = unwrap(node)
  return n._tag === "Subcommands" && n.parent ? nameOf(n.parent) : n.name ?? ""
}
const childrenOf = (node: Node): ReadonlyArray<Node> => unwrap(node).children ?? []
/** Help sections by command node: built once, since a start asks for the same command's options more than once. */
const helpCache = new WeakMap<Node, Sections>()
const helpOf = (node: Node): Sections => {
  const cached = helpCache.get(node)
  if (cached !== undefined) return cached
  const sections = sectionsOf(CommandDescriptor.getHelp(node as unknown as CommandDescriptor.Command<unknown>, CliConfig.defaultConfig))
  helpCache.set(node, sections)
  return sections
}

/** The command at `path` below `assay`, if every name is a subcommand. */
const nodeAt = (path: ReadonlyArray<string>): Node | undefined => {
  let current: Node | undefined = assay.descriptor as unknown as Node
  for (const name of path) current = current && childrenOf(current).find((c) => nameOf(c) === name)
  return current
}

/** The leading subcommand names of `argv`. */
const commandPath = (argv: ReadonlyArray<string>): Array<string> => {
  const path: Array<string> = []
  for (const arg of argv) {
    if (arg.startsWith("-") || nodeAt([...path, arg]) === undefined) break
    path.push(arg)
  }
  return path
}

const commandsOf = (node: Node): Array<Line> =>
  childrenOf(node).map((child) => ({ name: nameOf(child), text: helpOf(child).description[0] ?? "" }))


const grouped = (options: ReadonlyArray<Line>, groups: typeof GROUPS, withBuiltIn: boolean): Array<string> => {
  const out: Array<string> = []
  const placed = new Set<string>()
  for (const [title, names] of groups) {
    const members = options.filter((o) => names.includes(flagName(o)))
    members.forEach((o) => placed.add(o.name))
    if (members.length > 0) out.push("", `${title}:`, ...table(members))
  }
  const rest = options
    .filter((o) => !placed.has(o.name) && (withBuiltIn || !BUILT_IN.has(flagName(o))))
  if (rest.length > 0) out.push("", placed.size > 0 ? "other:" : "options:", ...table(rest))
  return out
}

/**
 * The help text for `argv` (the arguments after the program name) when it asks for help (`-h`/`--help`
 * anywhere, or no arguments at all); `undefined` otherwise. The path is the leading subcommand names.
 *
 * @example
 * ```ts
 * helpText(["--help"])?.startsWith("Usage: assay <command>") // true
 * ```
 */
export const helpText = (argv: ReadonlyArray<string>): string | undefined => {
  if (argv.length > 0 && !argv.includes("--help") && !argv.includes("-h")) return undefined
  const path = commandPath(argv)
  const node = nodeAt(path)!
  const { args, description, options } = helpOf(node)
  const commands = commandsOf(node)
  const usage = ["assay", ...path, commands.length > 0 ? "<command>" : "", ...args.map((a) => a.name), options.some((o) => !BUILT_IN.has(flagName(o))) ? "[options]" : ""]
  const lines = [`Usage: ${usage.filter((s) => s !== "").join(" ")}`, "", ...description]
  if (commands.length > 0) lines.push("", "commands:", ...table(commands))
  if (args.length > 0) lines.push("", "arguments:", ...table(args))
  const groups = path[0] === "run" || path[0] === "resume" ? GROUPS : []
  lines.push(...grouped(options, groups, path.length === 0))
  if (commands.length > 0) lines.push("", `Run \`assay ${[...path, "<command>"].join(" ")} --help\` for its options.`)
  return lines.join("\n")
}

/** Every option name a command accepts, its own and @effect/cli's. */
const optionNames = (node: Node): Set<string> =>
  new Set([...helpOf(node).options.map(flagName), ...BUILT_IN, "--help", "-h"])

/**
 * A usage message for the first `--option` in `argv` that the command does not have, with the closest one it
 * does have; `undefined` when every option is known. (@effect/cli itself only says "Received unknown argument".)
 *
 * @example
 * ```ts
 * unknownOption(["run", "x.jsonl", "--concurency", "4"]) // "unknown option --concurency for `assay run`: did you mean --concurrency? …"
 * ```
 */
export const unknownOption = (argv: ReadonlyArray<string>): string | undefined => {
  const path = commandPath(argv)
  const node = nodeAt(path)!
  if (childrenOf(node).length > 0) return undefined
  const known = optionNames(node)
  const unknown = argv.slice(path.length).map((a) => a.split("=")[0]!).find((a) => /^--[a-z]/i.test(a) && !known.has(a))
  if (unknown === undefined) return undefined
  const command = ["assay", ...path].join(" ")
  return `unknown option ${unknown} for \`${command}\`:${didYouMean(unknown, known) || " no such option"} (\`${command} --help\` lists them)`
}

/**
 * `argv` with every `--option=value` of a known option split into `--option value`.
 *
 * @example
 * ```ts
 * splitAssignments(["run", "x.jsonl", "--concurrency=4"]) // ["run", "x.jsonl", "--concurrency", "4"]
 * ```
 */
export const splitAssignments = (argv: ReadonlyArray<string>): Array<string> => {
  if (!argv.some((arg) => arg.startsWith("--") && arg.indexOf("=") > 2)) return [...argv]
  const known = optionNames(nodeAt(commandPath(argv))!)
  return argv.flatMap((arg) => {
    const eq = arg.indexOf("=")
    return arg.startsWith("--") && eq > 2 && known.has(arg.slice(0, eq)) ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg]
  })
}
