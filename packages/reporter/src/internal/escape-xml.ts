// Characters XML 1.0 does not allow anywhere (https://www.w3.org/TR/xml/#charsets): C0 controls
// other than tab, LF and CR; lone surrogates; U+FFFE and U+FFFF.
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const TEXT_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
// Parsers normalise raw tab, CR and LF in attribute values to spaces; character references survive.
const ATTRIBUTE_ENTITIES: Record<string, string> = { ...TEXT_ENTITIES, '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' }

/** Escapes text content for XML 1.0: `& < > " '` become entities and illegal characters are dropped. */
export function escapeXmlText(text: string): string {
  return text.replace(ILLEGAL, '').replace(/[&<>"']/g, (c) => TEXT_ENTITIES[c] as string)
}

/** Escapes an attribute value for XML 1.0, like `escapeXmlText`, and also keeps tabs and line breaks. */
export function escapeXmlAttribute(text: string): string {
  return text.replace(ILLEGAL, '').replace(/[&<>"'\t\n\r]/g, (c) => ATTRIBUTE_ENTITIES[c] as string)
}
