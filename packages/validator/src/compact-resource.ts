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
  // A copy detached from the parse: a string read from a file may be a view into the file's whole
  // text and would keep it alive, and the kept objects share nothing with the released ones.
  // Through JSON when it keeps the value exactly: V8 then stores it most compactly (a third of
  // the memory of a structured clone on the benchmark set).
  // A caller that copies the result anyway (a worker's reply) says `detach: false`.
  const copy = { ...resource, value: compact }
  if (options.detach === false) return copy
  return isJsonSafe(copy) ? (JSON.parse(JSON.stringify(copy)) as Resource) : structuredClone(copy)
}

function compactSpec(kind: string, spec: Obj): Obj | undefined {
  switch (kind) {
    case 'Plan': {
      const out = pick(spec, ['goalRef', 'series', 'version', 'supersedes'])
      const graph = spec.graph
      if (!isObj(graph)) return graph === undefined ? out : { ...out, graph }
      const nodes = Array.isArray(graph.nodes) ? graph.nodes.map(compactNode) : graph.nodes
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

