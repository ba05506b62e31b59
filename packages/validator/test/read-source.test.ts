import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readAtPath, readSource } from '../src/index.js'

const dir = mkdtempSync(join(tmpdir(), 'planspec-read-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('readAtPath', () => {
  it('reads a file within the limit, whole, with its size', () => {
    const path = join(dir, 'goal.yaml')
    writeFileSync(path, 'kind: Goal\n')
    const read = readAtPath({ file: 'goal.yaml', absolutePath: path }, 1024)
    expect(Buffer.from(read.bytes!).toString()).toBe('kind: Goal\n')
    expect(read.size).toBe(11)
    writeFileSync(join(dir, 'empty.yaml'), '')
    const empty = readAtPath({ file: 'empty.yaml', absolutePath: join(dir, 'empty.yaml') }, 1024)
    expect([empty.size, empty.bytes?.byteLength]).toEqual([0, 0])
  })

  it('does not read a file larger than the limit: it comes back with its size alone', () => {
    const path = join(dir, 'big.yaml')
    writeFileSync(path, 'x'.repeat(5000))
    const read = readAtPath({ file: 'big.yaml', absolutePath: path }, 4096)
    expect(read).toEqual({ file: 'big.yaml', absolutePath: path, size: 5000 })
    // A size known beforehand is trusted: the file is not even opened.
    expect(readAtPath({ file: 'gone.yaml', absolutePath: join(dir, 'gone.yaml'), size: 5000 }, 4096)).toEqual({ file: 'gone.yaml', absolutePath: join(dir, 'gone.yaml'), size: 5000 })
  })

  it('gives the reason a file cannot be read, and leaves a source with content as it is', async () => {
    expect(readAtPath({ file: 'gone.yaml', absolutePath: join(dir, 'gone.yaml') }, 4096)).toMatchObject({ file: 'gone.yaml', error: 'ENOENT' })
    expect(readAtPath({ file: 'dir', absolutePath: dir }, 4096)).toMatchObject({ error: 'EISDIR' })
    const given = { file: 'a.yaml', absolutePath: join(dir, 'gone.yaml'), text: 'a: 1\n' }
    expect(readAtPath(given)).toBe(given)
    expect(await readSource({ file: 'b.yaml', read: async () => Promise.reject(new Error('disk on fire')) })).toEqual({ file: 'b.yaml', error: 'disk on fire' })
  })
})
