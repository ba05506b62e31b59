import * as av from '@action-validator/core'
import { readFileSync } from 'node:fs'
const r = av.validateAction(readFileSync('action.yml','utf8'))
console.log(JSON.stringify(r).slice(0,1500))
