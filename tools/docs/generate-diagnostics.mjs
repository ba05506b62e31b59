#!/usr/bin/env node
// Writes docs/diagnostics.md from the validator's code catalog (`--check`: exit 1 when stale).
import { writeGenerated } from '../codegen/write-generated.mjs'
import { renderCodeCatalog } from '@planspec/validator'

writeGenerated(new URL('../../docs/diagnostics.md', import.meta.url), renderCodeCatalog(), { source: 'packages/validator/src/codes.ts' })
