import * as av from '@action-validator/core'
import { readFileSync } from 'node:fs'
console.log(JSON.stringify(av.validateWorkflow(readFileSync('examples/planspec-review.yml','utf8'))).slice(0,1500))
