import { describe, expect, it } from "vitest"
import { colourEnabled } from "../src/report/style.js"

const env = (over: Partial<Record<"NO_COLOR" | "FORCE_COLOR" | "TERM", string>>) => ({ NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: "xterm", ...over })

describe("colourEnabled", () => {
  it("follows the stream's terminal, NO_COLOR and FORCE_COLOR", () => {
    expect(colourEnabled(true, env({}))).toBe(true)
    expect(colourEnabled(false, env({}))).toBe(false)
    expect(colourEnabled(true, env({ TERM: "dumb" }))).toBe(false)
    expect(colourEnabled(true, env({ NO_COLOR: "1" }))).toBe(false)
    expect(colourEnabled(true, env({ NO_COLOR: "" }))).toBe(true) // an empty NO_COLOR does not count (no-color.org)
    expect(colourEnabled(false, env({ FORCE_COLOR: "1" }))).toBe(true)
    expect(colourEnabled(false, env({ FORCE_COLOR: "" }))).toBe(true)
    expect(colourEnabled(true, env({ FORCE_COLOR: "0" }))).toBe(false)
    expect(colourEnabled(true, env({ FORCE_COLOR: "false" }))).toBe(false)
    expect(colourEnabled(false, env({ FORCE_COLOR: "1", NO_COLOR: "1" }))).toBe(false)
  })
})
