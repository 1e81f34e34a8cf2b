/**
 * Client-side routes: `/`, `/runs/:id`, `/runs/:id/cases/:index`, `/compare/:a/:b`, each with an optional
 * query. Served pages use the path (every route also loads directly); a self-contained file uses the hash.
 */
import type { Query } from "./data.js"

/** A parsed route. */
export type Route =
  | { readonly page: "runs"; readonly query: Query }
  | { readonly page: "run"; readonly id: string; readonly query: Query }
  | { readonly page: "case"; readonly id: string; readonly index: number; readonly query: Query }
  | { readonly page: "compare"; readonly a: string; readonly b: string; readonly query: Query }
  | { readonly page: "missing"; readonly path: string }

let hashMode = false

/** Route on the hash (a file opened from disk) instead of the path. */
export const useHash = (): void => {
  hashMode = true
}

const current = (): string => (hashMode ? location.hash.slice(1) || "/" : location.pathname + location.search)

/** Parse a location (`/runs/r1?status=failed`). */
export const parse = (location: string): Route => {
  const [path = "/", search = ""] = location.split("?", 2)
  const query = Object.fromEntries(new URLSearchParams(search))
  const parts = path.split("/").filter((p) => p !== "").map(decodeURIComponent)
  if (parts.length === 0) return { page: "runs", query }
  if (parts[0] === "runs" && parts.length === 2) return { page: "run", id: parts[1]!, query }
  if (parts[0] === "runs" && parts.length === 4 && parts[2] === "cases" && /^\d+$/.test(parts[3]!)) {
    return { page: "case", id: parts[1]!, index: Number(parts[3]), query }
  }
  if (parts[0] === "compare" && parts.length === 3) return { page: "compare", a: parts[1]!, b: parts[2]!, query }
  return { page: "missing", path }
}

/** The current route. */
export const currentRoute = (): Route => parse(current())

/** A link target for a path and query (empty values left out). */
export const href = (path: string, query: Query = {}): string => {
  const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== ""))
  const target = params.size > 0 ? `${path}?${params}` : path
  return hashMode ? `#${target}` : target
}

/** Go to a path; `replace` keeps the history entry (filters typed into a page). */
export const navigate = (path: string, query: Query = {}, replace = false): void => {
  const target = href(path, query)
  if (hashMode) {
    if (replace) history.replaceState(null, "", target)
    else history.pushState(null, "", target)
  } else if (replace) history.replaceState(null, "", target)
  else history.pushState(null, "", target)
  dispatchEvent(new PopStateEvent("popstate"))
}

/** Encode one path segment. */
export const seg = encodeURIComponent
