/**
 * `.json` datasets: an array of cases, or deepeval-style `{"goldens": [...]}` / `{"test_cases": [...]}`
 * (`testCases` too), keys in snake_case or camelCase. The file is parsed streaming (@streamparser/json: a
 * JSON document has no record boundaries to split on, so a tokenizer has to find them), a case at a time, so
 * memory does not grow with the file. When a case is invalid or the JSON is malformed, the file is read once
 * more to name the line: with `yaml` (a JSON superset that keeps source positions), or a plain scan.
 *
 * @example
 * ```ts
 * import { Stream } from "effect"
 * import { jsonDataset } from "./json.js"
 * Stream.runCollect(jsonDataset("goldens.json"))
 * ```
 */
import { decodeTestCaseEither } from "../model/decode.js"
import type { TestCase } from "../model/test-case.js"
import * as FileSystem from "@effect/platform/FileSystem"
import { JSONParser } from "@streamparser/json"
import { Chunk, Effect, Either, identity, Stream } from "effect"
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml"
import { DatasetError, unreadable } from "./errors.js"
import { type CaseCheck, fromInvalid, parseJsonText, type Validation } from "./decode.js"
import { utf8Checker } from "./utf8.js"

const LIST_KEYS = ["goldens", "test_cases", "testCases"] as const
/** Read size of the JSON reader. */
const CHUNK_SIZE = FileSystem.MiB(1)
const NOT_A_LIST = `expected an array of cases or an object with ${LIST_KEYS.join(" / ")}: [...]`

/**
 * The line of case `index` (or of its field `field`) in JSON text, found through yaml's source positions;
 * undefined when yaml cannot parse the text (e.g. tab indentation).
 *
 * @example
 * ```ts
 * caseLine('[\n{"input": 1}\n]', undefined, 0, "input") // 2
 * ```
 * @since 0.1.0
 */
export const caseLine = (text: string, key: string | undefined, index: number, field: string | undefined): number | undefined => {
  const counter = new LineCounter()
  const doc = parseDocument(text, { lineCounter: counter })
  if (doc.errors.length > 0) return undefined
  let list: unknown = doc.contents
  if (key !== undefined && isMap(list)) list = list.get(key, true)
  if (!isSeq(list)) return undefined
  const item = list.items[index]
  if (item === undefined || item === null) return undefined
  let offset = (item as { range?: [number, number, number] }).range?.[0]
  if (field !== undefined && isMap(item)) {
    const pair = item.items.find((p) => isScalar(p.key) && (p.key.value === field || snakeToCamel(String(p.key.value)) === field))
    const range = pair !== undefined && isScalar(pair.key) ? pair.key.range : undefined
    if (range) offset = range[0]
  }
  return offset === undefined ? undefined : counter.linePos(offset).line
}

/**
 * The line where case `index` of the list (the root array, or the array under `key`) starts, by a plain scan
 * of the JSON text: the fallback for documents yaml refuses (tabs, values nested too deeply).
 *
 * @example
 * ```ts
 * scanItemLine('[\n{"input": 1},\n{"input": 2}\n]', undefined, 1) // 3
 * ```
 * @since 0.1.0
 */
export const scanItemLine = (text: string, key: string | undefined, index: number): number | undefined => {
  let depth = 0
  let line = 1
  let listDepth = key === undefined ? 1 : -1 // the depth inside the case list, once it is found
  let expecting = false // the next value at listDepth starts a case
  let item = -1
  let stringStart = -1
  let lastKey = ""
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (stringStart >= 0) {
      if (ch === "\\") i++
      else if (ch === '"') {
        if (depth === 1) lastKey = text.slice(stringStart, i)
        stringStart = -1
      }
      continue
    }
    if (ch === "\n") line++
    if (depth === listDepth && expecting && !/[\s,\]]/.test(ch)) {
      if (++item === index) return line
      expecting = false
    }
    if (ch === '"') stringStart = i + 1
    else if (ch === "," && depth === listDepth) expecting = true
    else if (ch === "{" || ch === "[") {
      depth++
      if (ch === "[" && depth === 2 && listDepth === -1 && lastKey === key) listDepth = 2
      if (depth === listDepth && ch === "[") expecting = true
    } else if (ch === "}" || ch === "]") depth--
  }
  return undefined
}

const snakeToCamel = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** Why the streamed read stopped, before the line is known. */
type Problem =
  | { readonly kind: "syntax"; readonly message: string }
  | { readonly kind: "case"; readonly index: number; readonly key: string | undefined; readonly raw: unknown; readonly detail?: string }
  | { readonly kind: "shape" }

/**
 * The problem as a DatasetError naming its line: the whole text is read again, only now (an error path).
 *
 * @example
 * ```ts
 * locate(fs, "cases.json", { kind: "shape" }) // DatasetError "cases.json:1: expected an array of cases…"
 * ```
 */
const locate = (fs: FileSystem.FileSystem, file: string, problem: Problem): Effect.Effect<never, DatasetError> =>
  Effect.flatMap(fs.readFileString(file).pipe(Effect.orElseSucceed(() => "")), (text) => {
    if (problem.kind === "shape") return Effect.fail(new DatasetError({ file, line: 1, detail: NOT_A_LIST }))
    if (problem.kind === "syntax") {
      const parsed = parseJsonText(text, file)
      return Effect.fail(Either.isLeft(parsed) ? parsed.left : new DatasetError({ file, detail: `invalid JSON: ${problem.message}` }))
    }
    const { index, key } = problem
    if (problem.detail !== undefined) {
      const line = caseLine(text, key, index, undefined) ?? scanItemLine(text, key, index)
      return Effect.fail(new DatasetError({ file, ...(line !== undefined ? { line } : {}), detail: problem.detail }))
    }
    const decoded = decodeTestCaseEither(problem.raw, { file, index })
    const issue = Either.isLeft(decoded) ? decoded.left : undefined
    const field = issue?.issues[0]?.split(/[.:]/)[0]
    const line = caseLine(text, key, index, field === "(case)" ? undefined : field) ?? scanItemLine(text, key, index)
    return issue === undefined ? Effect.die(new Error("a case failed to decode only once")) : Effect.fail(fromInvalid(issue, file, line))
  })

/**
 * A streaming reader of one JSON document: `feed` text, get the cases it completed (or the first problem);
 * `end` checks the document was whole and had a list of cases.
 */
const caseReader = (file: string, check: CaseCheck | undefined) => {
  let parser: JSONParser | undefined
  let listKey: string | undefined
  let listFound = false
  let syntax: string | undefined
  let problem: Problem | undefined
  let cases: Array<TestCase> = []
  const onItem = (raw: unknown, index: number, key: string | undefined) => {
    if (problem !== undefined) return
    const decoded = decodeTestCaseEither(raw, { file, index })
    if (Either.isLeft(decoded)) problem = { kind: "case", index, key, raw }
    else {
      const detail = check?.(decoded.right)
      if (detail === undefined) cases.push(decoded.right)
      else problem = { kind: "case", index, key, raw, detail }
    }
  }
  /** The parser for the document whose first character is `first`: it emits the items of the case list only. */
  const start = (first: string): JSONParser | undefined => {
    if (first !== "[" && first !== "{") return undefined
    listFound = first === "["
    const made = new JSONParser({ paths: first === "[" ? ["$.*"] : LIST_KEYS.map((k) => `$.${k}.*`), keepStack: false })
    made.onValue = ({ key, stack, value }) => {
      if (typeof key !== "number") return
      const list = first === "[" ? undefined : String(stack[1]?.key)
      if (list !== undefined) {
        listKey ??= list
        listFound = true
        if (list !== listKey) return
      }
      onItem(value, key, list)
    }
    made.onError = (error) => void (syntax ??= error.message)
    return made
  }
  const feed = (texts: Chunk.Chunk<string>): Either.Either<Chunk.Chunk<TestCase>, Problem> => {
    for (const text of texts) {
      if (parser === undefined) {
        const first = text.replace(/^[\ufeff\s]+/, "")[0]
        if (first === undefined) continue
        parser = start(first)
        if (parser === undefined) return Either.left({ kind: "shape" })
      }
      if (!parser.isEnded) parser.write(text)
      else if (text.trim() !== "") syntax ??= "unexpected text after the end of the document"
      // Malformed JSON first: a case error in the same read may only be a symptom of it.
      if (syntax !== undefined) return Either.left({ kind: "syntax", message: syntax })
      if (problem !== undefined) return Either.left(problem)
    }
    const out = Chunk.unsafeFromArray(cases)
    cases = []
    return Either.right(out)
  }
  const end = (): Problem | undefined => {
    if (parser === undefined) return { kind: "syntax", message: "the file is empty" }
    if (!parser.isEnded) parser.end()
    if (syntax !== undefined) return { kind: "syntax", message: syntax }
    return listFound ? undefined : { kind: "shape" }
  }
  return { feed, end }
}

/**
 * Stream the cases of a `.json` file, parsed a chunk at a time (a bad case fails the stream at that case).
 *
 * @example
 * ```ts
 * jsonDataset("examples/capitals.json")
 * ```
 * @since 0.1.0
 */
export const jsonDataset = (file: string, validation?: Validation): Stream.Stream<TestCase, DatasetError, FileSystem.FileSystem> =>
  Stream.unwrap(Effect.sync(() => {
    const utf8 = validation === undefined ? undefined : utf8Checker({ file, strict: validation.strictInput })
    const reader = caseReader(file, validation?.check)
    const failAt = (problem: Problem) => Effect.flatMap(FileSystem.FileSystem, (fs) => locate(fs, file, problem))
    const ended = Effect.suspend(() => {
      const problem = reader.end()
      return problem === undefined ? Effect.void : failAt(problem)
    })
    return Stream.unwrap(Effect.map(FileSystem.FileSystem, (fs) => fs.stream(file, { chunkSize: CHUNK_SIZE }))).pipe(
      Stream.mapError(unreadable(file)),
      utf8 === undefined ? identity : utf8.pass,
      Stream.decodeText(),
      Stream.mapChunksEffect((texts) => Either.match(reader.feed(texts), { onLeft: failAt, onRight: Effect.succeed })),
      Stream.concat(Stream.execute(ended)),
      Stream.concat(utf8 === undefined ? Stream.empty : Stream.execute(utf8.finish))
    )
  }))
