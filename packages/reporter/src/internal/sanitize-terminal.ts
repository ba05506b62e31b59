// Bidirectional overrides and isolates reorder what a terminal shows (CVE-2021-42574, "Trojan Source").
const BIDI = /[\u202a-\u202e\u2066-\u2069]/gu
// C0 controls, DEL and C1 controls. ESC among them would let file content drive the terminal.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/gu

/**
 * Makes user text safe to print on a terminal: C0 controls become their visible Control Picture
 * (`\u001b` → `␛`), DEL becomes `␡`, and C1 controls and bidirectional overrides become `�`.
 * Tabs and newlines are controls too; callers that keep them split or expand them first.
 */
export function sanitizeTerminal(text: string): string {
  return text.replace(BIDI, '\ufffd').replace(CONTROL, (c) => {
    const code = c.charCodeAt(0)
    if (code < 0x20) return String.fromCharCode(0x2400 + code)
    return code === 0x7f ? '\u2421' : '\ufffd'
  })
}
