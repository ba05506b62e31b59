// The one redaction module lives in core (pure, so every layer shares it); the engine keeps its
// historical names for it.
export { REDACTED, redactSecrets as redact } from '@planspec/core'
