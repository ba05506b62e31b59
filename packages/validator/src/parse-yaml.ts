import { Composer, Document, isAlias, isNode, LineCounter, Parser, visit, type CST, type DocumentOptions, type ParsedNode, type ParseOptions, type SchemaOptions } from 'yaml'
import { scanDepth } from './prescan.js'
import type { ValidationLimits } from './limits.js'
import { finding, type Finding } from './finding.js'

/**
 * One YAML document of a file, with what is needed to position findings: the parsed `Document`
 * (its nodes carry source offsets) and the file's `LineCounter`.
 */
export interface ParsedDocument {
  /** 0-based index of the document in its file. */
  readonly index: number
  readonly document: Document.Parsed
  /** The plain JavaScript value of the document (`undefined` for an empty document). */
  readonly value: unknown
  /** Offset of the document's first character, for findings about the document as a whole. */
  readonly start: number
}

/** The outcome of parsing one file: its documents and the findings of parsing it. */
export interface ParsedFile {
  readonly file: string
  readonly text: string
  readonly lineCounter: LineCounter
  readonly documents: readonly ParsedDocument[]
  readonly findings: readonly Finding[]
}

// One place pins every parse option (THREATS T8): YAML 1.2 core schema whatever the file says,
// duplicate keys rejected, no aliases, no merge keys, no custom tags, and strings kept as text.
const PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.2',
  schema: 'core',
  uniqueKeys: true,
  merge: false,
  strict: true,
  prettyErrors: false,
  keepSourceTokens: false,
  intAsBigInt: false,
  customTags: [],
  resolveKnownTags: false,
  // Findings are returned, never printed: no process warnings on stderr (a collection as a key).
  logLevel: 'error',
}

const TO_JS_OPTIONS = { maxAliasCount: 0 } as const
const MAY_HAVE_PROPERTIES = /(?:^|[\s[{,])[&*!][^\s=]/
const CORE_TAGS = new Set(['tag:yaml.org,2002:str', 'tag:yaml.org,2002:int', 'tag:yaml.org,2002:float', 'tag:yaml.org,2002:bool', 'tag:yaml.org,2002:null', 'tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq'])

/**
 * Decodes file bytes as UTF-8 text. Returns `undefined` for binary content (a NUL byte or invalid
 * UTF-8). A leading byte-order mark is dropped.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  if (bytes.includes(0)) return undefined
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
    return text
  } catch {
    return undefined
  }
}

/**
 * Parses the text of one file into documents, with limits checked before the parser runs.
 * Never throws: every problem is a finding (codes PS1xxx) with an offset into `text`.
 *
 * @example
 * const parsed = parseYamlFile('plan.yaml', text, DEFAULT_LIMITS)
 * for (const doc of parsed.documents) console.log(doc.value)
 */
export function parseYamlFile(file: string, rawText: string, limits: ValidationLimits): ParsedFile {
  const text = rawText.charCodeAt(0) === 0xfeff ? rawText.slice(1) : rawText
  const lineCounter = new LineCounter()
  const findings: Finding[] = []
  const result = (documents: ParsedDocument[]): ParsedFile => ({ file, text, lineCounter, documents, findings })
  // Lines are counted here, not by the parser, so that findings of a file that was never
  // parsed (too deep, say) still get line numbers.
  lineCounter.addNewLine(0)
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1)
  if (text.trim() === '') {
    findings.push(finding('PS1008', 'file contains no YAML documents', 0, 0))
    return result([])
  }
  const depth = scanDepth(text, limits.maxDepth)
  if (depth.line !== undefined) {
    const offset = offsetOf(text, depth.line, depth.column ?? 1)
    findings.push(finding('PS1007', `nesting is deeper than ${limits.maxDepth} levels; the file was not parsed`, offset, offset + 1))
    return result([])
  }
  const documents: ParsedDocument[] = []
  try {
    // The token tree is built without recursion; the composer recurses once per level. The text
    // scan above can miss levels that the parser opens while recovering from an error (`}[[[`) or
    // after node properties (`&a [[[`), so the tree's own depth is checked before composing.
    const tokens = [...new Parser().parse(text)]
    const tooDeep = firstTooDeep(tokens, limits.maxDepth)
    if (tooDeep !== undefined) {
      findings.push(finding('PS1007', `nesting is deeper than ${limits.maxDepth} levels; the file was not parsed`, tooDeep, tooDeep + 1))
      return result([])
    }
    const composer = new Composer(PARSE_OPTIONS)
    let index = 0
    for (const document of composer.compose(tokens, true, text.length)) {
      if (index >= limits.maxDocumentsPerFile) {
        const start = document.range[0]
        findings.push(finding('PS1009', `more than ${limits.maxDocumentsPerFile} documents in one file; the rest were not read`, start, start + 3))
        break
      }
      documents.push(checkDocument(text, document as Document.Parsed, index++, findings))
    }
  } catch (error) {
    // The parser is not expected to throw with these options; if it does, say so without a trace.
    findings.push(finding('PS1001', `YAML could not be parsed: ${(error as Error).message}`, 0, 1))
    return result([])
  }
  return result(documents)
}

/** Returns the offset of the first collection nested deeper than `maxDepth` in a token tree, if any. */
function firstTooDeep(tokens: readonly CST.Token[], maxDepth: number): number | undefined {
  const stack: { token: CST.Token; depth: number }[] = []
  for (let i = tokens.length - 1; i >= 0; i--) stack.push({ token: tokens[i]!, depth: 0 })
  let found: number | undefined
  while (stack.length) {
    const { token, depth } = stack.pop()!
    let children: (CST.Token | null | undefined)[] = []
    let level = depth
    if (token.type === 'document') children = [token.value]
    else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      level = depth + 1
      if (level > maxDepth) {
        if (found === undefined || token.offset < found) found = token.offset
        continue
      }
      children = token.items.flatMap((item) => [item.key, item.value])
    }
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i]
      if (child) stack.push({ token: child, depth: level })
    }
  }
  return found
}

function checkDocument(text: string, document: Document.Parsed, index: number, findings: Finding[]): ParsedDocument {
  const start = document.contents?.range?.[0] ?? document.range[0]
  let fatal = false
  for (const error of document.errors) {
    fatal = true
    const [from, to] = error.pos
    if (error.code === 'DUPLICATE_KEY') findings.push(finding('PS1003', firstLine(error.message), from, to))
    else if (error.code === 'BAD_ALIAS' || error.code === 'ALIAS_PROPS') findings.push(finding('PS1004', 'aliases are not allowed in manifests', from, to))
    else if (error.code === 'TAB_AS_INDENT') findings.push(finding('PS1001', 'tabs are not allowed for indentation; indent with spaces', from, to))
    else findings.push(finding('PS1001', `YAML syntax error: ${firstLine(error.message)}`, from, to))
  }
  const directiveVersion = document.directives?.yaml?.explicit ? document.directives.yaml.version : undefined
  if (directiveVersion !== undefined && directiveVersion !== '1.2') {
    fatal = true
    const at = Math.max(0, text.lastIndexOf('%YAML', document.range[0]))
    findings.push(finding('PS1005', `%YAML ${directiveVersion} is not supported; manifests are YAML 1.2 (remove the directive)`, at, at + 9))
  }
  // Anchors, aliases and tags are tokens that start after white space or a flow indicator and are
  // followed by a non-space character; a document with none of these needs no walk (CEL's != and
  // arithmetic * do not match).
  if (!fatal && MAY_HAVE_PROPERTIES.test(text.slice(document.range[0], document.range[2]))) fatal = checkNodes(text, document, findings)
  let value: unknown
  if (!fatal) {
    try {
      value = document.toJS(TO_JS_OPTIONS)
    } catch (error) {
      fatal = true
      findings.push(finding('PS1004', `aliases are not allowed in manifests (${firstLine((error as Error).message)})`, start, start + 1))
    }
  }
  return { index, document, value: fatal ? undefined : value, start }
}

/** Rejects aliases, anchors and tags outside the core schema; returns true when any was found. */
function checkNodes(text: string, document: Document.Parsed, findings: Finding[]): boolean {
  let found = false
  visit(document, {
    Alias(_key, node) {
      found = true
      const [from, to] = node.range ?? [0, 1]
      findings.push(finding('PS1004', `aliases are not allowed in manifests (*${node.source})`, from, to))
      return visit.SKIP
    },
    Node(_key, node) {
      if (isAlias(node) || !isNode(node)) return
      const parsed = node as ParsedNode
      if (parsed.anchor) {
        found = true
        const at = propertyStart(text, parsed.range[0], '&')
        findings.push(finding('PS1004', `anchors are not allowed in manifests (&${parsed.anchor})`, at, at + parsed.anchor.length + 1))
      }
      if (parsed.tag && !CORE_TAGS.has(parsed.tag)) {
        found = true
        const at = propertyStart(text, parsed.range[0], '!')
        const source = /^\S+/.exec(text.slice(at))?.[0] ?? parsed.tag
        findings.push(finding('PS1011', `tag ${source} is not allowed; manifests use plain YAML values`, at, at + source.length))
      }
    },
  })
  return found
}

/** Finds where a node property (`&anchor` or `!tag`) starts, on the node's line before it. */
function propertyStart(text: string, nodeStart: number, marker: string): number {
  const lineStart = text.lastIndexOf('\n', nodeStart - 1) + 1
  let at = text.lastIndexOf(marker, nodeStart)
  if (at < lineStart) return nodeStart
  while (at > lineStart && !/\s/.test(text[at - 1]!)) at--
  return at
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message
  return line.replace(/ at line \d+, column \d+:?$/, '').trim()
}

/** Converts a 1-based line and column into an offset of `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', offset)
    if (next < 0) return text.length
    offset = next + 1
  }
  return Math.min(text.length, offset + column - 1)
}
