// Supabase's own type generator (@supabase/postgrest-typegen, the engine behind
// `supabase gen types typescript`) run against a live database:
//   node official.mjs '{"host": "...", "port": 5432, "user": "...", "database": "..."}' ['["public", "billing"]']
// (a node-postgres client config as JSON, so Unix-socket hosts work too; then the schemas to include,
// public by default, as `supabase gen types --schema` takes them).
// tests/test_typescript.py compares its output with compiled/types/database.ts.
import pg from "pg"
import { introspect } from "@supabase/postgrest-typegen/introspection"
import { generateTypescript, sortGeneratorMetadata } from "@supabase/postgrest-typegen/generation"

const client = new pg.Client(JSON.parse(process.argv[2]))
await client.connect()
try {
  const includedSchemas = process.argv[3] ? JSON.parse(process.argv[3]) : ["public"]
  const metadata = await introspect(client, { includedSchemas })
  const options = { postgrestVersion: "12", detectOneToOneRelationships: true } // as `supabase gen types` calls it
  process.stdout.write(await generateTypescript(sortGeneratorMetadata(metadata), options))
} finally {
  await client.end()
}
