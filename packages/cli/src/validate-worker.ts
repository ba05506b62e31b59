// The script of the bundled command's validation workers (dist/validate-worker.mjs, see
// validationWorkerUrl): it serves check requests from the thread that started it.
import { parentPort } from 'node:worker_threads'
import { serveValidation } from '@planspec/validator'

if (parentPort) serveValidation(parentPort)
