// The worker thread of `createValidationPool`: the validator (YAML parsing, schemas, graph and
// CEL checks) and the parse of `POST .../validate` bodies run here, never on the server's event
// loop (DECISIONS §9, THREATS T7, T17). One job at a time; the pool enforces time and memory.
import { parentPort } from 'node:worker_threads'
import { createValidator } from '@planspec/validator'
import { parseValidateBody, parseYamlDocument, type ValidationJob, type ValidationReply } from './validation-jobs.js'

const validator = createValidator()
// Ready: the pool starts a job's time limit only now, not while the schemas load.
parentPort?.postMessage({ ready: true })

parentPort?.on('message', (job: ValidationJob) => {
  let reply: ValidationReply
  try {
    if (job.type === 'yaml') {
      const parsed = parseYamlDocument(job.text)
      parentPort?.postMessage(parsed.ok ? { id: job.id, ok: true, value: parsed.value } : { id: job.id, ok: false, message: parsed.message })
      return
    }
    const input = job.type === 'files' ? { ok: true as const, files: job.files, options: job.options } : parseValidateBody(job.text, job.maxJsonDepth)
    if (!input.ok) reply = { id: job.id, ok: false, message: input.message }
    else {
      const result = validator.validate(input.files, input.options)
      reply = { id: job.id, ok: true, diagnostics: result.diagnostics, summary: result.summary }
    }
  } catch (error) {
    reply = { id: job.id, ok: false, message: `the input could not be validated: ${(error as Error)?.message ?? String(error)}`.slice(0, 500) }
  }
  parentPort?.postMessage(reply)
})
