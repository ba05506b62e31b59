import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createValidator, type SourceFile, type ValidateOptions, type ValidationResult } from '../src/index.js'

const validator = createValidator()

/** The paths of the files under `dir` (recursively, in directory order) whose names match `names`: YAML files by default. */
export function filesUnder(dir: string, names: RegExp = /\.ya?ml$/): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry)
    return statSync(full).isDirectory() ? filesUnder(full, names) : names.test(entry) ? [full] : []
  })
}

/** Validates files given as `{ name: text }` and returns the result. */
export function validateTexts(files: Record<string, string>, options: ValidateOptions = {}): ValidationResult {
  return validator.validate(Object.entries(files).map(([file, text]) => ({ file, text })), options)
}

/** Validates raw source files. */
export function validateSources(files: SourceFile[], options: ValidateOptions = {}): ValidationResult {
  return validator.validate(files, options)
}

/** Validates one text and returns `code@line:col` for each finding, in order. */
export function findings(text: string, options: ValidateOptions = {}): string[] {
  return validateTexts({ 'f.yaml': text }, options).diagnostics.map((d) => `${d.code}@${d.line}:${d.column}`)
}

/** Validates one text and returns its codes. */
export function codes(text: string, options: ValidateOptions = {}): string[] {
  return validateTexts({ 'f.yaml': text }, options).diagnostics.map((d) => d.code)
}

/** A valid Plan with every node kind, as YAML, for tests to vary. */
export const PLAN = `apiVersion: planspec.io/v1alpha1
kind: Plan
metadata:
  name: release
  namespace: team
spec:
  description: Release the thing
  graph:
    nodes:
      - id: build
        kind: Task
        outputs: [image_tag]
      - id: test
        kind: Task
        dependsOn: [build]
        inputs:
          tag: "\${{ nodes.build.outputs.image_tag }}"
      - id: approve
        kind: Gate
        gateRef: { name: release-approval }
      - id: deploy
        kind: Task
        when: nodes.build.outputs.image_tag != ""
        dependsOn: [test, approve]
      - id: docs
        kind: External
        externalRef: { type: uri, uri: "https://docs.example.org/release" }
      - id: ship
        kind: Group
        children: [build, test, deploy]
    edges:
      - { from: docs, to: deploy, type: soft }
`
