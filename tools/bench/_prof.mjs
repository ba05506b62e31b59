import { createValidator } from '@planspec/validator'
import { generateManifests } from './generate-manifests.mjs'
const v = createValidator()
const files = generateManifests(500)
v.validate(files)
