/**
 * The viewer's entry: pick the data source (the page's embedded run, or the `assay view` API), follow the
 * route, and render the page for it. Links within the viewer navigate without reloading.
 */
import { render } from "preact"
import { useEffect, useState } from "preact/hooks"
import { CasePage } from "./case.js"
import { ComparePageView } from "./compare.js"
import { embedded, type Source, served } from "./data.js"
import { currentRoute, href, navigate, type Route, seg, useHash } from "./route.js"
import { RunPage } from "./run.js"
import { RunsPage } from "./runs.js"

const local = embedded()
if (local !== undefined) useHash()
const source: Source = local ?? served
// A self-contained page opens on its run.
if (source.single !== undefined && location.hash === "") history.replaceState(null, "", `#/runs/${seg(source.single)}`)

const Page = ({ route }: { readonly route: Route }) => {
  switch (route.page) {
    case "runs":
      return <RunsPage source={source} />
    case "run":
      return <RunPage key={route.id} source={source} id={route.id} query={route.query} />
    case "case":
      return <CasePage source={source} id={route.id} index={route.index} query={route.query} />
    case "compare":
      return <ComparePageView source={source} a={route.a} b={route.b} query={route.query} />
    case "missing":
      return <main><p class="error" role="alert">no page at {route.path}</p><a href={href("/")}>runs</a></main>
  }
}

const App = () => {
  const [route, setRoute] = useState(currentRoute)
  useEffect(() => {
    const update = () => setRoute(currentRoute())
    addEventListener("popstate", update)
    addEventListener("hashchange", update)
    return () => {
      removeEventListener("popstate", update)
      removeEventListener("hashchange", update)
    }
  }, [])
  useEffect(() => {
    const title = route.page === "runs" ? "runs" : route.page === "run" || route.page === "case" ? route.id : route.page === "compare" ? `${route.a} → ${route.b}` : "assay"
    document.title = `assay — ${title}`
  }, [route])
  return (
    <>
      <header><a class="brand" href={href("/")}>assay</a><span class="muted keys">j/k move · Enter open · / search · Esc back</span></header>
      <Page route={route} />
    </>
  )
}

// Same-page links of the served viewer change the route without a reload.
addEventListener("click", (event) => {
  const anchor = (event.target as Element | null)?.closest?.("a")
  if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return
  const target = anchor.getAttribute("href") ?? ""
  if (target.startsWith("/") && !target.startsWith("//")) {
    event.preventDefault()
    const [path = "/", search = ""] = target.split("?", 2)
    navigate(path, Object.fromEntries(new URLSearchParams(search)))
  }
})

render(<App />, document.getElementById("app")!)
