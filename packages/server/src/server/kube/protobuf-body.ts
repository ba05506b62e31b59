import protobuf from 'protobufjs'
import { ApiError } from '../error-catalog.js'

/** The media type of Kubernetes' protobuf encoding. */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf'

// The fields PlanSpec reads of the built-in types kubectl sends as protobuf (field numbers from
// k8s.io/api and apimachinery's generated.proto); protobufjs skips every other field.
const SCHEMA = `
syntax = "proto2";
package k8s;
message TypeMeta { optional string apiVersion = 1; optional string kind = 2; }
message Unknown { optional TypeMeta typeMeta = 1; optional bytes raw = 2; optional string contentEncoding = 3; optional string contentType = 4; }
message ObjectMeta { optional string name = 1; optional string generateName = 2; optional string namespace = 3; map<string, string> labels = 11; map<string, string> annotations = 12; }
message Namespace { optional ObjectMeta metadata = 1; }
message ResourceAttributes { optional string namespace = 1; optional string verb = 2; optional string group = 3; optional string version = 4; optional string resource = 5; optional string subresource = 6; optional string name = 7; }
message NonResourceAttributes { optional string path = 1; optional string verb = 2; }
message SelfSubjectAccessReviewSpec { optional ResourceAttributes resourceAttributes = 1; optional NonResourceAttributes nonResourceAttributes = 2; }
message SelfSubjectAccessReview { optional ObjectMeta metadata = 1; optional SelfSubjectAccessReviewSpec spec = 2; }
message SelfSubjectRulesReviewSpec { optional string namespace = 1; }
message SelfSubjectRulesReview { optional ObjectMeta metadata = 1; optional SelfSubjectRulesReviewSpec spec = 2; }
message SelfSubjectReview { optional ObjectMeta metadata = 1; }
`
const root = protobuf.parse(SCHEMA, { keepCase: true }).root
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]) // "k8s\0"

/** The built-in kinds accepted as protobuf: kind → the message type of its body. */
const KINDS: Readonly<Record<string, string>> = {
  Namespace: 'k8s.Namespace',
  SelfSubjectAccessReview: 'k8s.SelfSubjectAccessReview',
  SelfSubjectRulesReview: 'k8s.SelfSubjectRulesReview',
  SelfSubjectReview: 'k8s.SelfSubjectReview',
}

/**
 * Decodes a Kubernetes protobuf body (`k8s\0` + `runtime.Unknown`) of one of the built-in kinds
 * PlanSpec serves (Namespace, SelfSubjectAccessReview, SelfSubjectRulesReview, SelfSubjectReview)
 * into the JSON shape of that kind: kubectl sends these as protobuf, as it does to Kubernetes,
 * which accepts them. Anything else, or bytes that do not decode, is 400.
 */
export function decodeProtobufBody(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) throw new ApiError('BadRequest', 'the protobuf body does not start with the Kubernetes envelope')
  try {
    const unknown = root.lookupType('k8s.Unknown').toObject(root.lookupType('k8s.Unknown').decode(body.subarray(MAGIC.length)), { defaults: false }) as { typeMeta?: { apiVersion?: string; kind?: string }; raw?: Uint8Array }
    const kind = unknown.typeMeta?.kind ?? ''
    const type = KINDS[kind]
    if (type === undefined || unknown.raw === undefined) throw new ApiError('UnsupportedMediaType', `PlanSpec reads protobuf only for ${Object.keys(KINDS).join(', ')}; send ${JSON.stringify(kind)} as application/json`)
    const message = root.lookupType(type)
    const value = message.toObject(message.decode(unknown.raw), { defaults: false, objects: false, arrays: false }) as Record<string, unknown>
    return { apiVersion: unknown.typeMeta?.apiVersion ?? '', kind, ...value }
  } catch (error) {
    if (error instanceof ApiError) throw error
    throw new ApiError('BadRequest', 'the protobuf body could not be decoded')
  }
}
