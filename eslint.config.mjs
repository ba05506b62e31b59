// ESLint flat config. The module-boundary rules are the package layering of STYLE.md §3:
// arrows only point down, and a tag that does not fail CI is decoration.
import nx from '@nx/eslint-plugin'
import tseslint from 'typescript-eslint'

const layering = [
  { sourceTag: 'layer:model', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:schema', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'layer:parse', onlyDependOnLibsWithTags: ['layer:model', 'layer:schema'] },
  // The engine (providers, runner, in-memory store) needs the vocabulary only: never the validator's
  // parser (ajv, yaml); shells hand it digests and parsed resources.
  { sourceTag: 'layer:engine', onlyDependOnLibsWithTags: ['layer:model', 'layer:schema'] },
  // Its tests check the output with the real consumers of @planspec/testing (a devDependency).
  { sourceTag: 'layer:report', onlyDependOnLibsWithTags: ['layer:model', 'layer:testing'] },
  // The web dashboard: a browser app over core and the reporter's palette, plus the plugin that
  // serves its files (which the API server and the agent's listener register).
  { sourceTag: 'layer:ui', onlyDependOnLibsWithTags: ['layer:report', 'layer:model', 'layer:testing'] },
  // The git-backed store speaks core's vocabulary (Store port, StoredResource, ObjectKey): it never
  // loads the engine (providers, the MCP SDK, cel); the agent composes the two.
  { sourceTag: 'layer:store', onlyDependOnLibsWithTags: ['layer:parse', 'layer:model', 'layer:schema', 'layer:testing'] },
  { sourceTag: 'layer:agent', onlyDependOnLibsWithTags: ['layer:ui', 'layer:store', 'layer:engine', 'layer:parse', 'layer:model', 'layer:schema', 'layer:testing'] },
  // The client port (git-mode and HTTP implementations of ResourceClient): what commands and tools
  // act through. It knows no server, GitHub or MCP.
  { sourceTag: 'layer:client', onlyDependOnLibsWithTags: ['layer:agent', 'layer:store', 'layer:engine', 'layer:report', 'layer:parse', 'layer:model', 'layer:schema', 'layer:testing'] },
  // The MCP server for AI agents: tools over the client port; the composition root gives it GitHub.
  { sourceTag: 'layer:mcp', onlyDependOnLibsWithTags: ['layer:client', 'layer:engine', 'layer:report', 'layer:parse', 'layer:model', 'layer:schema', 'layer:testing'] },
  {
    sourceTag: 'layer:service',
    onlyDependOnLibsWithTags: ['layer:ui', 'layer:agent', 'layer:store', 'layer:engine', 'layer:report', 'layer:parse', 'layer:model', 'layer:schema', 'layer:testing'],
  },
  {
    sourceTag: 'layer:app',
    onlyDependOnLibsWithTags: ['layer:ui', 'layer:service', 'layer:mcp', 'layer:client', 'layer:agent', 'layer:store', 'layer:engine', 'layer:report', 'layer:parse', 'layer:model', 'layer:schema', 'layer:testing'],
  },
  // Test support (a loopback git server, fakes of what we do not own) depends on nothing of ours;
  // only test files import it (its packages list it under devDependencies).
  { sourceTag: 'layer:testing', onlyDependOnLibsWithTags: [] },
  // Workspace tooling (codegen, benchmarks, docs) sits above everything and ships nothing.
  { sourceTag: 'layer:tools', onlyDependOnLibsWithTags: ['*'] },
]

export default [
  { ignores: ['**/dist/**', '**/dist-app/**', '**/node_modules/**', '**/coverage/**', '**/out-tsc/**', '.nx/**', 'examples/**', '**/*.d.ts', '**/src/generated/**'] },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          // schemas is data (JSON + a small ESM index) with nothing to build.
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            ...layering,
            // The engine never learns about GitHub or HTTP servers.
            { sourceTag: 'layer:engine', bannedExternalImports: ['fastify', '@octokit/*', '@actions/*', 'octokit'] },
            { sourceTag: 'layer:report', bannedExternalImports: ['fastify', 'isomorphic-git'] },
            { sourceTag: 'layer:client', bannedExternalImports: ['fastify', '@octokit/*', 'octokit', '@modelcontextprotocol/*'] },
            { sourceTag: 'layer:mcp', bannedExternalImports: ['fastify', '@octokit/*', 'octokit', 'isomorphic-git'] },
            // The dashboard ships to browsers: no server frameworks or Node-only libraries at run time.
            { sourceTag: 'layer:ui', bannedExternalImports: ['isomorphic-git', 'better-sqlite3', '@octokit/*', '@actions/*', 'octokit', 'pino'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Manifest commands never go through a shell (THREATS T11).
      'no-restricted-syntax': [
        'error',
        {
          selector: "Property[key.name='shell'][value.value=true]",
          message: 'Never spawn through a shell (THREATS T11): pass an argv array with shell: false.',
        },
      ],
    },
  },
  {
    // The agent and git-store read the time only through an injected clock (`now`); the one
    // default, the system clock, is read in each package's system-clock.ts (its composition root).
    files: ['packages/agent/src/**/*.ts', 'packages/git-store/src/**/*.ts'],
    ignores: ['packages/agent/src/system-clock.ts', 'packages/git-store/src/internal/system-clock.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "Property[key.name='shell'][value.value=true]", message: 'Never spawn through a shell (THREATS T11): pass an argv array with shell: false.' },
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Read the time through the injected clock (`now`); the default is system-clock.ts.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the clock: use the injected clock (`now`) and new Date(ms).' },
        { selector: "CallExpression[callee.name='Date']", message: 'Date() reads the clock: use the injected clock (`now`).' },
        { selector: "MemberExpression[object.name='performance'][property.name='now']", message: 'Read the time through the injected clock (`now`).' },
      ],
    },
  },
  {
    // Test support is for tests: no shipped source imports it (the layering lets test files do so).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/testing/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@planspec/testing', message: 'Test support is imported by tests only.' }] }],
    },
  },
  {
    // core is pure: no I/O, no clock access through node built-ins, no process spawning.
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // The core stays pure: relative imports only, no Node built-ins, no third-party code.
          patterns: [{ regex: '^[^.]', message: 'core imports nothing but its own files: no Node built-ins (no I/O) and no third-party code.' }],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'fetch', 'setTimeout', 'setInterval'],
    },
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'child_process', property: 'exec', message: 'exec runs a shell; use spawn/execFile with argv (THREATS T11).' },
        { object: 'child_process', property: 'execSync', message: 'execSync runs a shell; use spawnSync with argv (THREATS T11).' },
      ],
    },
  },
  {
    // The dashboard's browser code: user text goes into text nodes only (THREATS: escaping).
    files: ['packages/dashboard/app/**/*.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Build elements with h()/s() and text nodes; never parse data as HTML.' },
        { property: 'outerHTML', message: 'Build elements with h()/s() and text nodes; never parse data as HTML.' },
        { property: 'insertAdjacentHTML', message: 'Build elements with h()/s() and text nodes; never parse data as HTML.' },
      ],
      'no-restricted-globals': ['error', { name: 'eval', message: 'The page runs under a CSP without unsafe-eval.' }],
    },
  },
  {
    // Test runner configs share one root file by relative path; they are not library code.
    files: ['**/vitest.config.ts', '**/vite.config.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    files: ['**/test/**/*.ts', 'tools/**/*.mjs', '**/bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
]
