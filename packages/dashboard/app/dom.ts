/** A child of {@link h}: text (always a text node, never parsed as HTML), an element, or nothing. */
export type Child = Node | string | number | false | null | undefined | readonly Child[]

/** Attributes and event handlers of {@link h}. */
export interface Props {
  readonly [name: string]: string | number | boolean | undefined | ((event: Event) => void)
}

const SVG_NS = 'http://www.w3.org/2000/svg'

/**
 * Creates an HTML element. Children that are strings become text nodes, so user text can never
 * become markup (there is no innerHTML anywhere in the app). `on*` props are event listeners;
 * `true` sets an empty attribute, `false`/`undefined` leaves it out.
 *
 * @example
 * h('a', { href: '#/executions', class: 'nav' }, 'Executions')
 */
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag)
  apply(element, props, children)
  return element
}

/** Creates an SVG element, as {@link h} does for HTML. */
export function s(tag: string, props: Props = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag) as SVGElement
  apply(element, props, children)
  return element
}

function apply(element: Element, props: Props, children: readonly Child[]): void {
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  append(element, children)
}

function append(element: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) append(element, child)
    else if (typeof child === 'string' || typeof child === 'number') element.appendChild(document.createTextNode(String(child)))
    else element.appendChild(child as Node)
  }
}

/** Replaces every child of `parent` with `children`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren()
  append(parent, children)
}

/** A link inside the app (hash routes); every path segment is URL-encoded. */
export function link(segments: readonly string[], ...children: Child[]): HTMLElement {
  return h('a', { href: `#/${segments.map(encodeURIComponent).join('/')}` }, ...children)
}
