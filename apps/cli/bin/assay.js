#!/usr/bin/env node
// The bundled CLI (`npm run build`: tsc, then apps/cli/bundle.mjs): one module to load instead of ~1,000.
import "../dist/assay.mjs"
