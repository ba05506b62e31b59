/**
 * The Content-Security-Policy of the dashboard's HTML: scripts, styles, images and API calls from
 * the page's own origin only; no inline script or style, no `eval`, no plugins, no framing, no
 * `<base>` rewriting and no form posts. The page builds every element with DOM calls and puts user
 * text in text nodes only, so it needs nothing more.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * Security headers sent with every dashboard file: the CSP above, no MIME sniffing, no referrer
 * (a URL never leaks to another site), no framing (for browsers without `frame-ancestors`), a
 * browsing-context group of its own, and no powerful browser features.
 */
export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
}
