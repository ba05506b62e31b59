// The output formats of the commands whose modules are loaded only when they run: the command line
// lists them in its help and checks `-o` before loading a command's code (a `planspec validate`
// never loads the agent, the server or the engine).

/** The output formats of `planspec simulate`. */
export const SIMULATE_FORMATS = ['text', 'json', 'mermaid'] as const

/** The output formats of `planspec review`. */
export const REVIEW_FORMATS = ['text', 'markdown', 'json'] as const

/** The output formats of `get`. */
export const GET_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const

/** The output formats of `apply`. */
export const APPLY_FORMATS = ['text', 'name', 'json'] as const

/** The output formats of `watch` (and of `get -w`, whose tables become event lines). */
export const WATCH_FORMATS = ['text', 'json', 'yaml', 'name'] as const
