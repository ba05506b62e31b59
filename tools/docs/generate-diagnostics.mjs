#!/usr/bin/env node
// Writes docs/diagnostics.md from the validator's code catalog (`--check`: exit 1 when stale).
import { readFileSync, writeFileSync } from 'node:fs'
import { renderCodeCatalog } from '@planspec/validator'

const target = new URL('../../docs/diagnostics.md', import.meta.url)
const text = renderCodeCatalog()
if (process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8')
  if (current !== text) {
    console.error('docs/diagnostics.md is stale: run node tools/docs/generate-diagnostics.mjs')
    process.exit(1)
  }
} else writeFileSync(target, text)
