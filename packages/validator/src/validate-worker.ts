// The script of a validation worker thread (see validateParallel): it serves check requests from
// the thread that started it. Importing it anywhere else does nothing.
import { parentPort } from 'node:worker_threads'
import { serveValidation } from './serve-validation.js'

if (parentPort) serveValidation(parentPort)
