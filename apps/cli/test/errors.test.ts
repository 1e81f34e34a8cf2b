/**
 * The one mapping from a command's failure to what the user sees: every error a command can fail with
 * (`CliError`) gets the documented exit code — 2 for usage and input errors, 3 for a failed run — and its own
 * one-line message; a defect (a bug) gets exit 3 and one line too.
 */
import { DatasetError, ErrorBudgetExceeded, MetricFailed, SinkError, TaskFailed } from "@assay/core"
import { describe, expect, it } from "@effect/vitest"
import { type CliError, failureOf, internalErrorOf, ReportError, RunFailed, UsageError } from "../src/errors.js"

// One of each tag in CliError: the `satisfies` record fails to compile when a tag is added without an example.
const examples = {
  UsageError: new UsageError({ message: "no metrics: pass --metric <id>" }),
  DatasetError: new DatasetError({ file: "a.jsonl", line: 3, detail: "invalid JSON" }),
  RunFailed: new RunFailed({ message: "judge openai:m: cannot connect" }),
  ReportError: new ReportError({ file: "out.json", message: "cannot write out.json: EACCES" }),
  MetricFailed: new MetricFailed({ caseIndex: 1, caseName: "conversation", metric: "exact-match", reason: "no expected output" }),
  TaskFailed: new TaskFailed({ caseIndex: 0, caseName: null, reason: "timed out" }),
  ErrorBudgetExceeded: new ErrorBudgetExceeded({ errored: 2, budget: 1, lastError: "boom" }),
  SinkError: new SinkError({ sink: "run-store", message: "disk full" })
} satisfies { readonly [Tag in CliError["_tag"]]: Extract<CliError, { readonly _tag: Tag }> }

// The documented rule (README's exit codes): usage and input errors exit 2, every other failure 3.
const usageTags: ReadonlyArray<CliError["_tag"]> = ["UsageError", "DatasetError"]

describe("failureOf", () => {
  it.each(Object.entries(examples))("%s exits with its documented code", (tag, error) => {
    expect(failureOf(error).code).toBe(usageTags.includes(error._tag) ? 2 : 3)
    expect(error._tag).toBe(tag)
  })

  it("shows each error's own one-line message", () => {
    expect(failureOf(examples.UsageError).message).toBe("no metrics: pass --metric <id>")
    expect(failureOf(examples.DatasetError).message).toBe("a.jsonl:3: invalid JSON")
    expect(failureOf(examples.MetricFailed).message).toBe("metric exact-match failed on case #1 (conversation): no expected output")
    expect(failureOf(examples.ErrorBudgetExceeded).message).toBe("2 cases errored, more than the budget of 1 (last: boom)")
    for (const error of Object.values(examples)) expect(failureOf(error).message).not.toContain("\n")
  })
})

describe("internalErrorOf", () => {
  it("a defect is exit 3 and the first line of its message, asking for a report", () => {
    const { code, message } = internalErrorOf(new TypeError("cannot read x of undefined\n    at f (a.js:1:1)"))
    expect(code).toBe(3)
    expect(message).toBe("internal error: cannot read x of undefined — please report it (run with ASSAY_DEBUG=1 for the stack)")
    expect(internalErrorOf("a string").message).toContain("internal error: a string —")
  })
})
