import { flattenText } from './flatten-text.js'

/**
 * Quotes text as a DOT double-quoted string. Backslashes are doubled, so escString sequences
 * such as `\N` or `\l` cannot be formed from user text, quotes are escaped, and line breaks and
 * controls become spaces. Quoted strings are never HTML-like labels, so `<` and `>` stay text;
 * but Graphviz decodes character entities in them, so `&` becomes `&amp;` and `&#x3C;` stays
 * literal text.
 */
export function quoteDot(text: string): string {
  return `"${flattenText(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/&/g, '&amp;')}"`
}
