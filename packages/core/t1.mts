import { Schema, Either } from "effect"
const P = Schema.decodeUnknownEither(Schema.parseJson())
const r = P("{\"a\": 1,}")
console.log(Either.isLeft(r) ? r.left.message : r.right)
const S = Schema.Struct({ threshold: Schema.optional(Schema.Number.pipe(Schema.between(0,1))), pattern: Schema.String }).annotations({ parseOptions: { onExcessProperty: "error" } })
const d = Schema.decodeUnknownEither(S)
for (const x of [{ pattern: "a", treshold: 1 }, { threshold: 2, pattern: "a" }, {}]) { const r = d(x); console.log(Either.isLeft(r) ? r.left.message : r.right) }
