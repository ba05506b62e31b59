// The raw baseline of the validate benchmark, run as its own process: every *.yaml file under a
// directory read in turn, parsed with js-yaml's loadAll (its core schema, the fastest) and checked
// with the validator's own precompiled ajv validators. No positions, no semantics, nothing kept.
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

// The very js-yaml and validators the validator uses.
const validatorIndex = createRequire(import.meta.url).resolve('@planspec/validator') // .../dist/index.js
const { loadAll, CORE_SCHEMA } = createRequire(validatorIndex)('js-yaml')
const validators = await import(pathToFileURL(join(validatorIndex, '..', 'generated/schema-validators.js')).href)

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(full)
    else if (/\.ya?ml$/.test(entry.name)) yield full
  }
}

let resources = 0
let invalid = 0
for (const file of walk(process.argv[2])) {
  for (const document of loadAll(readFileSync(file, 'utf8'), null, { schema: CORE_SCHEMA })) {
    resources++
    const validate = validators[document?.kind]
    if (!validate || !validate(document)) invalid++
  }
}
process.stdout.write(JSON.stringify({ resources, invalid }) + '\n')
