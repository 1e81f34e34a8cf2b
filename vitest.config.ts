import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url))

export default defineConfig({
  resolve: {
    alias: {
      "@assay/core": src("./packages/core/src/index.ts"),
      "@assay/store": src("./packages/store/src/index.ts"),
      "@assay/judge": src("./packages/judge/src/index.ts"),
      "@assay/vitest": src("./packages/vitest/src/index.ts"),
      "@assay/fake-openai": src("./packages/fake-openai/src/index.ts")
    }
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000
  }
})
