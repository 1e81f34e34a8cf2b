/**
 * One case in full: input, actual and expected output, context, retrieval context, tool calls (made and
 * expected), the conversation's turns, and every metric's score, threshold, reason, error, verbose steps and
 * cost. Keys: j/k next/previous case, Escape back to the run (keeping its filters).
 */
import type { Query, Source } from "./data.js"
import { caseTexts } from "./data.js"
import { href, navigate, seg } from "./route.js"
import type { CaseDetail } from "./types.js"
import { Field, ms, num, pending, Status, Text, usd, useKeys, useLoad } from "./ui.js"

type Result = CaseDetail["result"]
type Tool = NonNullable<NonNullable<Result["testCase"]>["toolsCalled"]>[number]

const Tools = ({ tools }: { readonly tools: ReadonlyArray<Tool> }) => (
  <ul class="tools">{tools.map((t, i) => <li key={i}><Text value={JSON.stringify(t, null, 2)} /></li>)}</ul>
)

const Metrics = ({ result }: { readonly result: Result }) => (
  <table class="grid" id="case-metrics">
    <thead><tr><th>metric</th><th>outcome</th><th>score</th><th>threshold</th><th>reason / error</th><th>cost</th><th>time</th></tr></thead>
    <tbody>
      {result.metrics.map((m) => (
        <tr key={m.name}>
          <td>{m.name}{m.cached ? <span class="muted"> (cached)</span> : null}</td>
          <td><Status status={m.skipped ? "skipped" : m.error !== null ? "errored" : m.success ? "passed" : "failed"} /></td>
          <td class="num">{num(m.score)}{m.epochScores ? <span class="muted"> [{m.epochScores.map(num).join(", ")}]</span> : null}</td>
          <td class="num">{num(m.threshold)}{m.strict ? " strict" : ""}</td>
          <td>
            {m.error !== null && <Text value={m.error} />}
            {m.reason !== null && <Text value={m.reason} />}
            {m.verbose && m.verbose.length > 0 && (
              <details><summary>verbose steps ({m.verbose.length})</summary>{m.verbose.map((v, i) => <Text key={i} value={v} />)}</details>
            )}
          </td>
          <td class="num">{usd(m.cost)}<span class="muted"> {m.tokens.input + m.tokens.output} tok</span></td>
          <td class="num">{ms(m.durationMs)}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

/** The case page. */
export const CasePage = ({ source, id, index, query }: { readonly source: Source; readonly id: string; readonly index: number; readonly query: Query }) => {
  const loaded = useLoad(() => source.kase(id, index), [source, id, index])
  const back = () => navigate(`/runs/${seg(id)}`, query)
  useKeys({
    Escape: back,
    j: () => navigate(`/runs/${seg(id)}/cases/${index + 1}`, query, true),
    k: () => index > 0 && navigate(`/runs/${seg(id)}/cases/${index - 1}`, query, true)
  })
  const crumbs = (
    <p class="crumbs">
      <a href={href("/")} onClick={(e) => { e.preventDefault(); navigate("/") }}>runs</a> /{" "}
      <a href={href(`/runs/${seg(id)}`, query)} onClick={(e) => { e.preventDefault(); back() }}>{id}</a> / case {index}
    </p>
  )
  const waiting = pending(loaded)
  if (waiting) return <main>{crumbs}{waiting}</main>
  if (loaded.state !== "ok") return null
  const { result, status } = loaded.value
  const t = result.testCase
  const { actual, expected, input } = caseTexts(result)
  return (
    <main>
      {crumbs}
      <h1 id="case-title">{result.name ?? `case ${index}`} <Status status={status} /></h1>
      <p class="muted">case {index} · {usd(result.cost)} · {ms(result.durationMs)} · {result.tokens.input + result.tokens.output} tokens</p>
      {result.error !== undefined && <Field label="error"><Text value={result.error} /></Field>}
      {t === undefined && <p class="muted">This result was stored without its test case.</p>}
      {t?.turns !== undefined ? (
        <Field label="conversation">
          {t.turns.map((turn, i) => (
            <div key={i} class={`turn ${turn.role}`}>
              <b>{turn.role}</b>
              <Text value={caseTexts({ ...result, testCase: { input: turn.content } }).input} />
              {turn.toolsCalled && <Tools tools={turn.toolsCalled} />}
              {turn.retrievalContext && turn.retrievalContext.map((r, j) => <Text key={j} value={r} />)}
            </div>
          ))}
        </Field>
      ) : t !== undefined && <Field label="input"><Text value={input} /></Field>}
      {actual !== null && <Field label="actual output"><Text value={actual} /></Field>}
      {(t?.expectedOutput !== undefined || t?.expectedOutcome !== undefined) && <Field label={t?.turns ? "expected outcome" : "expected output"}><Text value={expected} /></Field>}
      {t?.scenario !== undefined && <Field label="scenario"><Text value={t.scenario} /></Field>}
      {t?.context && t.context.length > 0 && <Field label="context">{t.context.map((c, i) => <Text key={i} value={c} />)}</Field>}
      {t?.retrievalContext && t.retrievalContext.length > 0 && (
        <Field label="retrieval context">{t.retrievalContext.map((c, i) => <Text key={i} value={c} />)}</Field>
      )}
      {t?.toolsCalled && <Field label="tools called"><Tools tools={t.toolsCalled} /></Field>}
      {t?.expectedTools && <Field label="expected tools"><Tools tools={t.expectedTools} /></Field>}
      <h2>Metrics</h2>
      <Metrics result={result} />
      {t?.metadata !== undefined && <Field label="metadata"><Text value={JSON.stringify(t.metadata, null, 2)} /></Field>}
    </main>
  )
}
