import { isJsonSafe } from './json-safe.js'
import type { Resource } from './resource.js'

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Returns the resource with its value cut down to what cross-reference checks read (see
 * `checkReferences`): identity and labels, and per kind the references a spec holds (a Plan's
 * goal, series, supersedes and, per node, id, kind, capability, gate and external refs; a
 * Binding's spec; a Capability's requirements; an Execution's plan, goal and binding refs; a
 * Gate's target). A large repository keeps a few hundred bytes per resource instead of the whole
 * parsed document (the copy shares nothing with it, unless `detach` is false). Pure; `resource`
 * is not changed.
 *
 * @example
 * compactResource(plan).value.spec // { goalRef, graph: { nodes: [{ id: 'build', kind: 'Task', capabilityRefs: [...] }] } }
 */
export function compactResource(resource: Resource, options: { readonly detach?: boolean } = {}): Resource {
  const value = resource.value
  const metadata = isObj(value.metadata) ? value.metadata : {}
  const compact: Obj = { apiVersion: value.apiVersion, kind: value.kind, metadata: pick(metadata, ['name', 'namespace', 'labels']) }
  // A resource that failed the schema is still found by references (a Plan's node ids), so its
  // spec is cut down the same way, whatever its shape.
  const spec = isObj(value.spec) ? compactSpec(resource.kind, value.spec) : undefined
  if (spec) compact.spec = spec
  // A caller that copies the result anyway (a worker's reply) says `detach: false`.
  const copy = { ...resource, value: compact }
  return options.detach === false ? copy : (detached(copy) as Resource)
}

/**
 * A deep copy that shares nothing with the parse: a string read from a file may be a view into
 * the file's whole text and would keep it alive, so every kept string is a copy of its own,
 * stored once across files (names, kinds and node ids repeat). Exact for every value a parse
 * gives (numbers as they are, `-0`, `NaN`, `undefined`); anything that is not a plain object or
 * array is structured-cloned.
 */
function detached(value: unknown): unknown {
  if (typeof value === 'string') return keptString(value)
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) out[i] = detached(value[i])
    return out
  }
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return structuredClone(value)
  const out: Obj = {}
  for (const key of Object.keys(value)) {
    const item = detached((value as Obj)[key])
    // A key named __proto__ is an own property of the parse, never the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: item, enumerable: true, writable: true, configurable: true })
    else out[key] = item
  }
  return out
}

// V8 copies a substring shorter than this; a longer one may be a view into its source text.
const SHORTEST_VIEW = 13
// The strings kept so far, each under its own copy; forgotten all at once when full.
const MAX_KEPT_STRINGS = 1 << 16
const LONGEST_SHARED = 256
const keptStrings = new Map<string, string>()

/** Returns a copy of `text` that keeps no other string alive, the same copy for equal texts. */
function keptString(text: string): string {
  // A long text (a plan's packed nodes) is rarely repeated: copied, not looked up.
  if (text.length > LONGEST_SHARED) return (text + ' ').slice(0, -1)
  const known = keptStrings.get(text)
  if (known !== undefined) return known
  if (keptStrings.size >= MAX_KEPT_STRINGS) keptStrings.clear()
  // Concatenating makes a new string; cutting the added space off again copies it flat.
  const own = text.length < SHORTEST_VIEW ? text : (text + ' ').slice(0, -1)
  keptStrings.set(own, own)
  return own
}

// Where a compact Plan keeps its nodes as JSON text (read with `compactPlanNodes`).
const PACKED_NODES = 'nodesJson'

/**
 * Returns the `spec.graph.nodes` of a Plan's value, full or compact (where `compactResource` may
 * keep them as JSON text, parsed again on each call), or undefined when the graph has no node list.
 *
 * @example
 * compactPlanNodes(compactResource(plan).value.spec) // [{ id: 'build', kind: 'Task', capabilityRefs: [...] }]
 */
export function compactPlanNodes(spec: unknown): unknown[] | undefined {
  const graph = isObj(spec) ? spec.graph : undefined
  if (!isObj(graph)) return undefined
  const packed = graph[PACKED_NODES]
  if (typeof packed !== 'string') return Array.isArray(graph.nodes) ? graph.nodes : undefined
  return JSON.parse(packed) as unknown[]
}

function compactSpec(kind: string, spec: Obj): Obj | undefined {
  switch (kind) {
    case 'Plan': {
      const out = pick(spec, ['goalRef', 'series', 'version', 'supersedes'])
      const graph = spec.graph
      if (!isObj(graph)) return graph === undefined ? out : { ...out, graph }
      const nodes = Array.isArray(graph.nodes) ? graph.nodes.map(compactNode) : graph.nodes
      // A plan's nodes are most of what is kept: as one JSON text (when JSON keeps them exactly)
      // they are one flat string instead of a few objects per node for the collector to trace.
      if (Array.isArray(nodes) && isJsonSafe(nodes)) return { ...out, graph: { [PACKED_NODES]: JSON.stringify(nodes) } }
      return { ...out, graph: nodes === undefined ? {} : { nodes } }
    }
    case 'Binding':
      return spec
    case 'Capability':
      return pick(spec, ['requirements'])
    case 'Execution':
      return pick(spec, ['planRef', 'goalRef', 'bindingRef', 'nodeBindings'])
    case 'Gate':
      return pick(spec, ['targetRef'])
    default:
      return undefined
  }
}

/** A plan node cut down to what references read (one object shape for all: this runs per node). */
function compactNode(node: unknown): unknown {
  if (!isObj(node)) return node
  const out: Obj = { id: node.id, kind: node.kind }
  if (node.id === undefined) delete out.id
  if (node.kind === undefined) delete out.kind
  if (node.capabilityRefs !== undefined) out.capabilityRefs = node.capabilityRefs
  if (node.gateRef !== undefined) out.gateRef = node.gateRef
  if (node.externalRef !== undefined) out.externalRef = node.externalRef
  return out
}

function pick(object: Obj, keys: readonly string[]): Obj {
  const out: Obj = {}
  for (const key of keys) if (object[key] !== undefined) out[key] = object[key]
  return out
}

