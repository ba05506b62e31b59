import { schemas, schemaIdByKind, apiVersion } from '@planspec/schemas'
import { CODES, type Code } from '@planspec/validator'
import { ClientUsageError } from './errors.js'

type Schema = Record<string, unknown>
const isSchema = (v: unknown): v is Schema => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A property of an explained object: its schema, whether required, and when it applies. */
interface Field {
  readonly schema: Schema
  readonly required: boolean
  readonly condition?: string
}

const byId = new Map<string, Schema>((schemas as unknown as Schema[]).map((s) => [String(s.$id), s]))

/**
 * Renders the documentation of `KIND[.field.path]` from the schemas, like `kubectl explain`
 * (`recursive` lists nested fields too), or of a diagnostic code (`PS3006`). Throws
 * `ClientUsageError` naming the choices when `target` names nothing.
 *
 * @example
 * explain('plan.spec.graph.nodes')
 */
export function explain(target: string, options: { recursive?: boolean } = {}): string {
  if (/^PS\d{4}$/i.test(target)) return explainCode(target.toUpperCase())
  const [kindText, ...fieldPath] = target.split('.')
  const kind = Object.keys(schemaIdByKind).find((k) => k.toLowerCase() === kindText!.toLowerCase() || `${k.toLowerCase()}s` === kindText!.toLowerCase() || (k === 'Capability' && kindText!.toLowerCase() === 'capabilities'))
  if (!kind) throw new ClientUsageError(`unknown kind "${kindText}"; explain one of ${Object.keys(schemaIdByKind).join(', ')} or a code such as PS3001`)
  const rootId = (schemaIdByKind as Record<string, string>)[kind]!
  let current: Schema = resolve(byId.get(rootId)!, rootId)
  let base = rootId
  let required = false
  const walked: string[] = []
  for (const segment of fieldPath) {
    const fields = fieldsOf(current, base)
    const field = fields.get(segment)
    if (!field) {
      const at = walked.length ? `${kind}.${walked.join('.')}` : kind
      throw new ClientUsageError(`field "${segment}" does not exist in ${at}; its fields are: ${[...fields.keys()].join(', ') || '(none)'}`)
    }
    walked.push(segment)
    required = field.required
    base = baseOf(field.schema, base)
    current = resolve(field.schema, base)
    const element = elementOf(current, base)
    if (element) {
      base = element.base
      current = element.schema
    }
  }
  const lines: string[] = [`KIND:     ${kind}`, `VERSION:  ${apiVersion}`, '']
  if (walked.length) {
    lines.push(`FIELD: ${walked[walked.length - 1]} <${typeName(current, base)}>${required ? ' -required-' : ''}`, '')
  }
  lines.push('DESCRIPTION:', ...wrap(String(current.description ?? current.title ?? '(no description)'), '    '))
  const fields = fieldsOf(current, base)
  if (fields.size) {
    lines.push('', 'FIELDS:')
    printFields(fields, base, '  ', options.recursive ? 4 : 0, lines)
  }
  return lines.join('\n') + '\n'
}

function printFields(fields: ReadonlyMap<string, Field>, base: string, indent: string, depth: number, lines: string[]): void {
  for (const [name, field] of fields) {
    const fieldBase = baseOf(field.schema, base)
    const schema = resolve(field.schema, fieldBase)
    const flags = [field.required ? '-required-' : '', field.condition ? `(${field.condition})` : ''].filter(Boolean).join(' ')
    lines.push(`${indent}${name} <${typeName(schema, fieldBase)}>${flags ? ' ' + flags : ''}`)
    const description = String(schema.description ?? field.schema.description ?? '')
    if (description) lines.push(...wrap(firstSentence(description), indent + '  '))
    if (depth > 0) {
      const element = elementOf(schema, fieldBase)
      const inner = element ? fieldsOf(element.schema, element.base) : fieldsOf(schema, fieldBase)
      if (inner.size) printFields(inner, element?.base ?? fieldBase, indent + '    ', depth - 1, lines)
    }
  }
}

/** Follows `$ref` (absolute ids and local pointers) until a schema with content is reached. */
function resolve(schema: Schema, base: string): Schema {
  let current = schema
  let currentBase = base
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    const target = lookup(current.$ref, currentBase)
    // Sibling keywords of $ref (a description, say) override the target's.
    current = { ...target.schema, ...withoutRef(current) }
    currentBase = target.base
  }
  return current
}

function withoutRef(schema: Schema): Schema {
  const { $ref: _ref, ...rest } = schema
  return rest
}

function baseOf(schema: Schema, base: string): string {
  let current = schema
  let currentBase = base
  for (let hops = 0; typeof current.$ref === 'string' && hops < 20; hops++) {
    const target = lookup(current.$ref, currentBase)
    current = target.schema
    currentBase = target.base
  }
  return currentBase
}

function lookup(ref: string, base: string): { schema: Schema; base: string } {
  const [file, fragment] = ref.split('#') as [string, string | undefined]
  const id = file ? (file.startsWith('http') ? file : new URL(file, base).href) : base
  let node: unknown = byId.get(id)
  for (const part of (fragment ?? '').split('/').filter(Boolean)) node = isSchema(node) ? node[decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~')] : undefined
  if (!isSchema(node)) throw new Error(`schema reference ${ref} does not resolve`)
  return { schema: node, base: id }
}

/**
 * Lists the properties of an object schema, including those of allOf members, if/then branches
 * (labelled "when kind: Task") and oneOf/anyOf shapes (labelled by their title). A property that
 * every branch declares is shown without a label.
 */
function fieldsOf(schema: Schema, base: string): Map<string, Field> {
  const found = new Map<string, { schema: Schema; required: boolean; conditions: Set<string>; requiredIn: Set<string> }>()
  const branches = new Set<string>()
  const visit = (s: Schema, b: string, condition: string | undefined, depth: number): void => {
    if (depth > 10) return
    const resolved = resolve(s, b)
    const rb = baseOf(s, b)
    if (condition) branches.add(condition)
    const required = new Set(Array.isArray(resolved.required) ? (resolved.required as string[]) : [])
    if (isSchema(resolved.properties)) {
      for (const [name, prop] of Object.entries(resolved.properties)) {
        if (!isSchema(prop)) continue
        let entry = found.get(name)
        if (!entry) found.set(name, (entry = { schema: prop, required: false, conditions: new Set(), requiredIn: new Set() }))
        if (condition) entry.conditions.add(condition)
        else entry.conditions.add('*')
        if (required.has(name) && !condition) entry.required = true
        if (required.has(name) && condition) entry.requiredIn.add(condition)
      }
    }
    for (const member of Array.isArray(resolved.allOf) ? resolved.allOf : []) {
      if (!isSchema(member)) continue
      if (isSchema(member.then)) visit(member.then, rb, describeCondition(member.if) ?? condition, depth + 1)
      else visit(member, rb, condition, depth + 1)
    }
    if (isSchema(resolved.then)) visit(resolved.then, rb, describeCondition(resolved.if) ?? condition, depth + 1)
    for (const shape of [...(Array.isArray(resolved.oneOf) ? resolved.oneOf : []), ...(Array.isArray(resolved.anyOf) ? resolved.anyOf : [])]) {
      if (isSchema(shape)) visit(shape, rb, typeof shape.title === 'string' ? `shape: ${shape.title}` : condition, depth + 1)
    }
  }
  visit(schema, base, undefined, 0)
  const out = new Map<string, Field>()
  for (const [name, entry] of found) {
    const everywhere = entry.conditions.has('*') || (branches.size > 1 && [...branches].every((b) => entry.conditions.has(b)))
    const requiredEverywhere = branches.size > 0 && [...branches].every((b) => entry.requiredIn.has(b))
    out.set(name, { schema: entry.schema, required: entry.required || requiredEverywhere, condition: everywhere ? undefined : [...entry.conditions].join('; ') })
  }
  return out
}

function describeCondition(condition: unknown): string | undefined {
  if (!isSchema(condition) || !isSchema(condition.properties)) return undefined
  const parts: string[] = []
  for (const [name, prop] of Object.entries(condition.properties)) {
    if (isSchema(prop) && prop.const !== undefined) parts.push(`${name}: ${String(prop.const)}`)
    else if (isSchema(prop) && Array.isArray(prop.enum)) parts.push(`${name}: ${prop.enum.join('|')}`)
  }
  return parts.length ? `when ${parts.join(', ')}` : undefined
}

function elementOf(schema: Schema, base: string): { schema: Schema; base: string } | undefined {
  if (schema.type === 'array' && isSchema(schema.items)) return { schema: resolve(schema.items, baseOf(schema.items, base)), base: baseOf(schema.items, base) }
  return undefined
}

function typeName(schema: Schema, base: string): string {
  if (schema.type === 'array' && isSchema(schema.items)) {
    const items = resolve(schema.items, baseOf(schema.items, base))
    return `[]${typeName(items, baseOf(schema.items, base))}`
  }
  if (schema.type === 'object' || isSchema(schema.properties)) {
    if (!isSchema(schema.properties) && isSchema(schema.additionalProperties)) return `map[string]${typeName(resolve(schema.additionalProperties, base), base)}`
    return 'Object'
  }
  if (Array.isArray(schema.type)) return schema.type.join('|')
  if (typeof schema.type === 'string') return schema.type
  if (schema.const !== undefined) return typeof schema.const
  if (Array.isArray(schema.enum)) return 'string'
  return 'any'
}

function explainCode(code: string): string {
  const info = (CODES as Record<string, (typeof CODES)[Code] | undefined>)[code]
  if (!info) throw new ClientUsageError(`unknown diagnostic code ${code}`)
  const lines = [`CODE:      ${code}`, `SEVERITY:  ${info.severity}`, `TITLE:     ${info.title}`, '', 'DESCRIPTION:', ...wrap(info.help, '    ')]
  if (info.example) lines.push('', 'EXAMPLE:', ...info.example.split('\n').map((l) => `    ${l}`))
  return lines.join('\n') + '\n'
}

function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(\s|$)/s.exec(text)
  return (match ? match[1]! : text).replace(/\s+/g, ' ')
}

function wrap(text: string, indent: string, width = 88): string[] {
  const lines: string[] = []
  for (const paragraph of text.split(/\n\s*\n/)) {
    let line = ''
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (line && indent.length + line.length + 1 + word.length > width) {
        lines.push(indent + line)
        line = word
      } else line = line ? `${line} ${word}` : word
    }
    if (line) lines.push(indent + line)
  }
  return lines
}
