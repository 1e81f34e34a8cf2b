/**
 * Small shared pieces of the viewer: formatting, status badges, score histograms, a hook for keyboard
 * shortcuts and one for loading data. Everything from a dataset or a model is passed to Preact as text
 * children, which it sets as text nodes: nothing is ever parsed as HTML.
 */
import type { ComponentChildren } from "preact"
import { useEffect, useRef, useState } from "preact/hooks"
import type { CaseStatus } from "./types.js"

/** A number with three decimals, or a dash. */
export const num = (n: number | null | undefined): string => (n === null || n === undefined ? "–" : n.toFixed(3))
/** A share as a percentage. */
export const pct = (n: number | null | undefined): string => (n === null || n === undefined ? "–" : `${(n * 100).toFixed(1)}%`)
/** A cost in dollars. */
export const usd = (n: number): string => (n === 0 ? "$0" : n < 0.01 ? `$${n.toFixed(5)}` : `$${n.toFixed(2)}`)
/** A duration. */
export const ms = (n: number): string => (n < 1000 ? `${Math.round(n)} ms` : n < 120_000 ? `${(n / 1000).toFixed(1)} s` : `${(n / 60_000).toFixed(1)} min`)
/** A UTC timestamp. */
export const when = (t: number): string => (t === 0 ? "–" : new Date(t).toISOString().replace("T", " ").slice(0, 19))

/** A case or metric status. */
export const Status = ({ status }: { readonly status: CaseStatus | string }) => <span class={`status ${status}`}>{status}</span>

/** Ten bars of a score histogram on [0, 1]. */
export const Histogram = ({ counts }: { readonly counts: ReadonlyArray<number> }) => {
  const top = Math.max(1, ...counts)
  return (
    <span class="histogram" title={counts.map((c, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}: ${c}`).join("\n")}>
      {counts.map((c, i) => <span key={i} class="bar" style={{ height: `${Math.round((c / top) * 100)}%` }} />)}
    </span>
  )
}

/** A labelled block of text (kept as typed: whitespace and newlines shown). */
export const Field = ({ label, children }: { readonly label: string; readonly children: ComponentChildren }) => (
  <section class="field">
    <h3>{label}</h3>
    {children}
  </section>
)

/** Text in a preformatted block. */
export const Text = ({ value }: { readonly value: string }) => <pre class="text">{value}</pre>

/**
 * Keyboard shortcuts while mounted; keys typed into a text field are left alone except Escape. The listener is
 * registered once and reads the handlers of the latest render, so a key pressed right after a state change
 * (before effects run) never acts on the previous state.
 */
export const useKeys = (keys: Readonly<Record<string, (event: KeyboardEvent) => void>>): void => {
  const latest = useRef(keys)
  latest.current = keys
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return
      const target = event.target as HTMLElement | null
      const typing = target !== null && (target.tagName === "SELECT" || target.tagName === "TEXTAREA" ||
        (target instanceof HTMLInputElement && !["checkbox", "radio", "button"].includes(target.type)))
      if (typing && event.key !== "Escape") return
      const action = latest.current[event.key]
      if (action !== undefined) {
        event.preventDefault()
        action(event)
      }
    }
    addEventListener("keydown", onKey)
    return () => removeEventListener("keydown", onKey)
  }, [])
}

/** The state of a load. */
export type Loaded<A> = { readonly state: "loading" } | { readonly state: "error"; readonly message: string } | { readonly state: "ok"; readonly value: A }

/** Load `f()` whenever `deps` change (a later load wins over an earlier one still in flight). */
export const useLoad = <A,>(f: () => Promise<A>, deps: ReadonlyArray<unknown>): Loaded<A> => {
  const [loaded, setLoaded] = useState<Loaded<A>>({ state: "loading" })
  useEffect(() => {
    let live = true
    f().then(
      (value) => live && setLoaded({ state: "ok", value }),
      (error: unknown) => live && setLoaded({ state: "error", message: error instanceof Error ? error.message : String(error) })
    )
    return () => {
      live = false
    }
  }, deps)
  return loaded
}

/** A load's error or spinner; `undefined` once loaded. */
export const pending = <A,>(loaded: Loaded<A>) =>
  loaded.state === "loading" ? <p class="muted">loading…</p> : loaded.state === "error" ? <p class="error" role="alert">{loaded.message}</p> : undefined
