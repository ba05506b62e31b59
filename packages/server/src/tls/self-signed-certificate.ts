import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { isIP } from 'node:net'
import forge from 'node-forge'

/** Options of {@link createSelfSignedCertificate}. */
export interface SelfSignedCertificateOptions {
  /** Host names and IP addresses the certificate is valid for (its subjectAltName); at least one. */
  readonly hosts: readonly string[]
  /** How many days it is valid (default 365). */
  readonly days?: number
  /** The clock (default: the system clock); the certificate is valid from one minute before it. */
  readonly now?: () => Date
}

/** A certificate and its private key, both PEM. */
export interface TlsCredentials {
  readonly cert: string
  readonly key: string
}

/**
 * Creates a self-signed certificate for `planspec serve`'s first start (k3s-style): an RSA-2048
 * key made by Node's crypto and a SHA-256 X.509 v3 certificate that is its own CA (basic
 * constraints `CA:TRUE`, key usages for serving TLS and signing certificates, extended usage
 * `serverAuth`), so clients trust it by pinning it as their CA (a kubeconfig's
 * `certificate-authority-data`, a context's CA, `curl --cacert`).
 *
 * @example
 * const { cert, key } = await createSelfSignedCertificate({ hosts: ['localhost', '127.0.0.1'] })
 * await serve({ db: 'planspec.db', tls: { cert, key } })
 */
export async function createSelfSignedCertificate(options: SelfSignedCertificateOptions): Promise<TlsCredentials> {
  const hosts = [...new Set(options.hosts)]
  if (hosts.length === 0) throw new TypeError('createSelfSignedCertificate: give at least one host name or IP address')
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
  const now = options.now?.() ?? new Date()
  const certificate = forge.pki.createCertificate()
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey)
  // A positive 128-bit serial (RFC 5280 allows up to 20 octets; the leading bit is cleared).
  const serial = randomBytes(16)
  serial[0] = serial[0]! & 0x7f
  certificate.serialNumber = serial.toString('hex')
  certificate.validity.notBefore = new Date(now.getTime() - 60_000)
  certificate.validity.notAfter = new Date(now.getTime() + (options.days ?? 365) * 86_400_000)
  const name = [{ name: 'commonName', value: `planspec serve (${hosts[0]})` }, { name: 'organizationName', value: 'PlanSpec' }]
  certificate.setSubject(name)
  certificate.setIssuer(name)
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: hosts.map((host) => (isIP(host) === 0 ? { type: 2, value: host } : { type: 7, ip: host })) },
    { name: 'subjectKeyIdentifier' },
  ])
  certificate.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create())
  return { cert: forge.pki.certificateToPem(certificate), key: privateKey }
}
