// @kubernetes/client-node (1.4.0, the newest release that runs on Node 20) against `planspec serve`
// over HTTPS with a kubeconfig: CRUD with the CustomObjects and generic object clients, each patch
// type, empty-body deletes, watch with resume, an informer, and a 410 re-list against a server whose
// history is compacted. Every step is checked on the objects' state through the API.
import { createServer } from 'node:net'
import { join } from 'node:path'
import { CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, Watch, makeInformer, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ADMIN_TOKEN, startKubeServer, writeKubeconfig, type KubeServer } from './kube-server.js'

let server: KubeServer
let kc: KubeConfig
const group = 'planspec.io'
const version = 'v1alpha1'
const namespace = 'default'
type Goal = KubernetesObject & { spec: { description: string; priority?: number } }
const goal = (name: string, description = `goal ${name}`): Goal => ({ apiVersion: `${group}/${version}`, kind: 'Goal', metadata: { name, namespace }, spec: { description } })
const stored = async (name: string) => server.api('GET', `/apis/${group}/${version}/namespaces/${namespace}/goals/${name}`)

beforeAll(async () => {
  server = await startKubeServer()
  kc = new KubeConfig()
  kc.loadFromFile(server.kubeconfig('admin'))
}, 120_000)
afterAll(async () => server?.stop())

describe('@kubernetes/client-node against planspec serve', () => {
  it('creates, reads, lists, replaces, patches (JSON patch by default, merge, apply) and deletes custom objects', async () => {
    const api = kc.makeApiClient(CustomObjectsApi)
    const created = (await api.createNamespacedCustomObject({ group, version, namespace, plural: 'goals', body: goal('one') })) as Goal
    expect(created.metadata?.uid).toBeDefined()
    expect((await stored('one')).body.spec.description).toBe('goal one')
    const read = (await api.getNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'one' })) as Goal
    expect(read.metadata?.uid).toBe(created.metadata?.uid)
    const listed = (await api.listNamespacedCustomObject({ group, version, namespace, plural: 'goals' })) as { items: Goal[] }
    expect(listed.items.map((g) => g.metadata?.name)).toEqual(['one'])

    // The object read back carries managedFields; sending it back as is is a valid replace.
    await api.replaceNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'one', body: { ...read, spec: { ...read.spec, description: 'replaced' } } })
    expect((await stored('one')).body.spec.description).toBe('replaced')
    // client-node's default patch type for custom objects is JSON patch.
    await api.patchNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'one', body: [{ op: 'test', path: '/spec/description', value: 'replaced' }, { op: 'add', path: '/spec/priority', value: 3 }] })
    expect((await stored('one')).body.spec).toEqual({ description: 'replaced', priority: 3 })
    await expect(api.patchNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'one', body: [{ op: 'test', path: '/spec/priority', value: 99 }, { op: 'remove', path: '/spec/priority' }] })).rejects.toMatchObject({ code: 422 })
    expect((await stored('one')).body.spec.priority).toBe(3)
    await api.patchNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'one', body: { spec: { priority: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
    expect((await stored('one')).body.spec).toEqual({ description: 'replaced' })

    // The generic object client: server-side apply with a field manager, strategic merge refused as for any custom resource.
    const objects = KubernetesObjectApi.makeApiClient(kc)
    await objects.patch(goal('two', 'applied'), undefined, undefined, 'client-node-test', undefined, PatchStrategy.ServerSideApply)
    expect((await stored('two')).body.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'client-node-test', operation: 'Apply' })])
    await expect(objects.patch(goal('two', 'strategic'))).rejects.toMatchObject({ code: 415 })
    expect((await stored('two')).body.spec.description).toBe('applied')
    const generic = await objects.read<Goal>({ apiVersion: `${group}/${version}`, kind: 'Goal', metadata: { name: 'two', namespace } })
    expect(generic.spec.description).toBe('applied')

    // Deletes send a JSON content type with an empty body, or DeleteOptions.
    await api.deleteNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'one' })
    expect((await stored('one')).status).toBe(404)
    await objects.delete(goal('two'), undefined, undefined, undefined, undefined, 'Foreground')
    expect((await stored('two')).status).toBe(404)
    await expect(api.getNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'one' })).rejects.toMatchObject({ code: 404 })
  }, 120_000)

  it('watches, resumes from a resourceVersion without missing a change, and keeps an informer in sync', async () => {
    const api = kc.makeApiClient(CustomObjectsApi)
    const path = `/apis/${group}/${version}/namespaces/${namespace}/goals`
    const events: { type: string; name: string; description: string; rv: string }[] = []
    const watch = new Watch(kc)
    const first = await watch.watch(path, {}, (type, object: Goal) => events.push({ type, name: object.metadata!.name!, description: object.spec?.description, rv: object.metadata!.resourceVersion! }), () => undefined)
    await api.createNamespacedCustomObject({ group, version, namespace, plural: 'goals', body: goal('watched') })
    await vi.waitFor(() => expect(events.map((e) => `${e.type} ${e.name}`)).toContain('ADDED watched'), { timeout: 30_000, interval: 50 })
    first.abort()
    const resumeFrom = events.find((e) => e.name === 'watched')!.rv
    // Changes made while no watch is open are replayed from the resourceVersion.
    await api.patchNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'watched', body: { spec: { description: 'changed while away' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
    const resumed: string[] = []
    const second = await watch.watch(path, { resourceVersion: resumeFrom }, (type, object: Goal) => resumed.push(`${type} ${object.metadata!.name} ${object.spec?.description}`), () => undefined)
    await vi.waitFor(() => expect(resumed).toContain('MODIFIED watched changed while away'), { timeout: 30_000, interval: 50 })
    second.abort()

    const informer = makeInformer<Goal>(kc, path, () => api.listNamespacedCustomObject({ group, version, namespace, plural: 'goals' }) as never)
    await informer.start()
    try {
      expect(informer.list().map((g) => g.metadata?.name)).toContain('watched')
      await api.createNamespacedCustomObject({ group, version, namespace, plural: 'goals', body: goal('informed') })
      await vi.waitFor(() => expect(informer.get('informed', namespace)?.spec.description).toBe('goal informed'), { timeout: 30_000, interval: 50 })
      await api.deleteNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'informed' })
      await vi.waitFor(() => expect(informer.get('informed', namespace)).toBeUndefined(), { timeout: 30_000, interval: 50 })
    } finally {
      await informer.stop()
    }
  }, 120_000)

  it('gets 410 Gone for a compacted resourceVersion and recovers by listing again', async () => {
    // A server of its own whose store keeps only the last few changes (the bundled one keeps 10,000).
    const { buildServer, createSelfSignedCertificate, parseTokens, sqliteStore } = await import('@planspec/server')
    const { cert, key } = await createSelfSignedCertificate({ hosts: ['127.0.0.1'] })
    const store = sqliteStore({ historyLimit: 3, compactEvery: 1 })
    const app = buildServer({ store, tokens: parseTokens(`${ADMIN_TOKEN},admin,system:masters`), tls: { cert, key }, logger: false })
    const port = await freePort()
    await app.listen({ host: '127.0.0.1', port })
    try {
      const small = new KubeConfig()
      small.loadFromFile(writeKubeconfig(join(server.dir, 'kubeconfig-small'), `https://127.0.0.1:${port}`, cert, ADMIN_TOKEN))
      const api = small.makeApiClient(CustomObjectsApi)
      const first = (await api.createNamespacedCustomObject({ group, version, namespace, plural: 'goals', body: goal('old') })) as Goal
      for (let i = 0; i < 6; i++) await api.patchNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'old', body: { spec: { priority: i + 1 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
      const path = `/apis/${group}/${version}/namespaces/${namespace}/goals`
      const gone = await new Promise<{ statusCode?: number; code?: number }>((resolve) => {
        void new Watch(small).watch(path, { resourceVersion: first.metadata!.resourceVersion! }, () => undefined, (err: { statusCode?: number; code?: number }) => resolve(err))
      })
      expect(gone?.statusCode ?? gone?.code).toBe(410)
      // The client's recovery: list again, then watch from the list's version.
      const list = (await api.listNamespacedCustomObject({ group, version, namespace, plural: 'goals' })) as { items: Goal[]; metadata: { resourceVersion: string } }
      expect(list.items[0]!.spec.priority).toBe(6)
      const seen: number[] = []
      const again = await new Watch(small).watch(path, { resourceVersion: list.metadata.resourceVersion }, (_type, object: Goal) => seen.push(object.spec.priority ?? 0), () => undefined)
      await api.patchNamespacedCustomObject({ group, version, namespace, plural: 'goals', name: 'old', body: { spec: { priority: 7 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch))
      await vi.waitFor(() => expect(seen).toEqual([7]), { timeout: 30_000, interval: 50 })
      again.abort()
    } finally {
      await app.close()
      store.close()
    }
  }, 120_000)
})

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
  })
}
