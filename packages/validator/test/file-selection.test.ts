import { describe, expect, it } from 'vitest'
import { createFileSelection, isPlanSpecDocument, selectFiles, SNIFF_BYTES } from '../src/file-selection.js'
import { parseRepositoryConfig } from '../src/repository-config.js'

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('createFileSelection', () => {
  it('gives a reason for every path it leaves out', () => {
    const selection = createFileSelection({ paths: ['plans/**', '!plans/old.yaml'], exclude: ['plans/drafts/'] })
    expect(selection.skipReason('plans/a.yaml')).toBeUndefined()
    expect(selection.skipReason('node_modules/plans/a.yaml')).toBe('skipped-directory')
    expect(selection.skipReason('plans/.planspec.yaml')).toBe('config-file')
    expect(selection.skipReason('plans/readme.md')).toBe('not-yaml')
    expect(selection.skipReason('goals/g.yaml')).toBe('not-in-paths')
    expect(selection.skipReason('plans/old.yaml')).toBe('excluded')
    expect(selection.skipReason('plans/drafts/x.yml')).toBe('excluded')
  })

  it('reads ./ and / as the config folder', () => {
    expect(createFileSelection({ paths: ['/plans/*.yaml'] }).skipReason('plans/a.yaml')).toBeUndefined()
    expect(createFileSelection({ paths: ['./plans/*.yaml'] }).skipReason('plans/a.yaml')).toBeUndefined()
  })

  it('sniffs only without paths', () => {
    expect(createFileSelection({}).sniffs).toBe(true)
    expect(createFileSelection({ paths: ['!x.yaml'] }).sniffs).toBe(true)
    expect(createFileSelection({ paths: ['*.yaml'] }).sniffs).toBe(false)
  })

  it('never enters the skipped directories', () => {
    const selection = createFileSelection({})
    expect(selection.entersDirectory('plans')).toBe(true)
    expect(selection.entersDirectory('a/node_modules')).toBe(false)
    expect(selection.entersDirectory('.git')).toBe(false)
  })
})

describe('isPlanSpecDocument', () => {
  it('finds a planspec.io apiVersion in block or flow style, quoted or not', () => {
    expect(isPlanSpecDocument(bytes('apiVersion: planspec.io/v1alpha1\nkind: Goal\n'))).toBe(true)
    expect(isPlanSpecDocument(bytes('{"apiVersion": "planspec.io/v1alpha1"}'))).toBe(true)
    expect(isPlanSpecDocument(bytes('---\nkind: Goal\napiVersion: \'planspec.io/v1alpha1\'\n'))).toBe(true)
    expect(isPlanSpecDocument(bytes('name: CI\non: push\n'))).toBe(false)
    expect(isPlanSpecDocument(bytes('apiVersion: apps/v1\n'))).toBe(false)
  })

  it('reads only the first 64 KiB', () => {
    expect(isPlanSpecDocument(bytes(`${'#'.repeat(SNIFF_BYTES)}\napiVersion: planspec.io/v1alpha1\n`))).toBe(false)
  })
})

describe('selectFiles', () => {
  it('applies the path rules, then the sniff when the selection sniffs', () => {
    const files = [
      { path: 'a.yaml', bytes: bytes('apiVersion: planspec.io/v1alpha1\n') },
      { path: 'ci.yaml', bytes: bytes('on: push\n') },
      { path: 'big.yaml' },
      { path: 'README.md' },
    ]
    expect(selectFiles(files, createFileSelection({}))).toEqual({
      selected: ['a.yaml', 'big.yaml'],
      skipped: [
        { path: 'ci.yaml', reason: 'not-planspec' },
        { path: 'README.md', reason: 'not-yaml' },
      ],
    })
    expect(selectFiles(files, createFileSelection({ paths: ['*.yaml'] })).selected).toEqual(['a.yaml', 'ci.yaml', 'big.yaml'])
  })
})

describe('parseRepositoryConfig', () => {
  it('reads a config that passes the repository-config schema', () => {
    expect(parseRepositoryConfig(bytes('namespace: team-a\npaths: ["plans/**"]\nexclude: [drafts/]\n'))).toEqual({ config: { namespace: 'team-a', paths: ['plans/**'], exclude: ['drafts/'] } })
    expect(parseRepositoryConfig(bytes('contexts:\n  prod: { server: "https://planspec.example.com" }\ncurrentContext: prod\n'))).toEqual({ config: { contexts: { prod: { server: 'https://planspec.example.com' } }, currentContext: 'prod' } })
  })

  it('reads an empty file or an empty document as the empty config', () => {
    expect(parseRepositoryConfig(bytes(''))).toEqual({ config: {} })
    expect(parseRepositoryConfig(bytes('# nothing yet\n---\n'))).toEqual({ config: {} })
  })

  it('refuses what the schema refuses, naming where', () => {
    expect(parseRepositoryConfig(bytes('paths: plans\n'))).toEqual({ error: expect.stringContaining('/paths') })
    expect(parseRepositoryConfig(bytes('namespace: Team_A\n'))).toEqual({ error: expect.stringContaining('/namespace') })
    expect(parseRepositoryConfig(bytes('pahts: [x]\n'))).toEqual({ error: expect.stringContaining('pahts') })
  })

  it('refuses unusable files: not UTF-8, too big, broken YAML, several documents', () => {
    expect(parseRepositoryConfig(Uint8Array.from([0xff, 0xfe, 0x00]))).toEqual({ error: 'the file is not UTF-8 text' })
    expect(parseRepositoryConfig(bytes(`# ${'x'.repeat(70_000)}\n`))).toEqual({ error: expect.stringContaining('larger than') })
    expect(parseRepositoryConfig(bytes('paths: [\n'))).toHaveProperty('error')
    expect(parseRepositoryConfig(bytes('paths: [a]\n---\npaths: [b]\n'))).toEqual({ error: 'the file must hold one YAML document' })
    expect(parseRepositoryConfig(bytes('a: &x 1\nb: *x\n'))).toHaveProperty('error')
  })
})
