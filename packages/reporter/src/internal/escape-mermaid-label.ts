import { flattenText } from './flatten-text.js'

// Mermaid entity codes (https://mermaid.js.org/syntax/flowchart.html#entity-codes-to-escape-characters).
// `#` is escaped too, so user text cannot spell an entity; backticks would start a Markdown
// string or close a fenced block; `@` keeps a label from reading as a mention where Markdown
// renders it; `%` because mermaid strips `%%{…}%%` directives and `%%` comments anywhere.
const ENTITIES: Readonly<Record<string, string>> = { '#': '#35;', '"': '#quot;', '&': '#amp;', '<': '#lt;', '>': '#gt;', '`': '#96;', '@': '#64;', '%': '#37;' }

/** Escapes text for a quoted Mermaid flowchart label, on one line: it can neither end its node nor add statements. */
export function escapeMermaidLabel(text: string): string {
  return flattenText(text).replace(/[#"&<>`@%]/g, (c) => ENTITIES[c] as string)
}
