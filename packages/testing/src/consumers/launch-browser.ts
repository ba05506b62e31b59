import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'
import { launchChromium } from './launch-chromium.js'

const require = createRequire(import.meta.url)

/** What rendering one Mermaid diagram gave: the SVG, or the parse/render error. */
export interface MermaidRender {
  readonly svg?: string
  readonly error?: string
  /** Width and height of the SVG as drawn at its natural size, in CSS pixels. */
  readonly width: number
  readonly height: number
  /** The text of every label, axis tick and title in the diagram, in document order. */
  readonly texts: readonly string[]
  /** Computed colours of every node, group (cluster) and edge as drawn: what a reader sees. */
  readonly painted: readonly PaintedElement[]
}

/** The colours of one drawn element, as CSS colour strings (`rgb(…)`). */
export interface PaintedElement {
  readonly kind: 'node' | 'cluster' | 'edge'
  /** The element's label (nodes and clusters) or id (edges). */
  readonly label: string
  /** Fill of the node or cluster shape; empty for edges. */
  readonly fill: string
  readonly stroke: string
  /** Colour of the label text; empty for edges. */
  readonly text: string
}

/** A headless Chromium page with the real `mermaid` package loaded. */
export interface MermaidBrowser {
  /** Parses and renders a diagram with `mermaid.render`, as GitHub's viewer does, in the given theme. */
  renderMermaid(code: string, theme?: 'default' | 'dark'): Promise<MermaidRender>
  /**
   * Renders GitHub Markdown as a page styled with GitHub's stylesheet (light or dark) and every
   * ```` ```mermaid ```` block drawn by mermaid, then writes a full-page PNG screenshot.
   * Returns the mermaid errors (empty when every diagram rendered).
   */
  screenshotMarkdown(markdown: string, options: { readonly theme: 'light' | 'dark'; readonly path: string; readonly width?: number }): Promise<string[]>
  close(): Promise<void>
}

/**
 * Launches Debian's Chromium headless (playwright-core, a fresh `--user-data-dir`, no network
 * services) with the `mermaid` package loaded from node_modules; nothing is fetched.
 * `timezoneId` sets the page's time zone (mermaid's Gantt axis depends on it).
 */
export async function launchMermaidBrowser(options: { readonly timezoneId?: string } = {}): Promise<MermaidBrowser> {
  const browser = await launchChromium(options.timezoneId === undefined ? {} : { timezoneId: options.timezoneId })
  const { context } = browser
  await context.route('**/*', (route) => (route.request().url().startsWith('data:') || route.request().url() === 'about:blank' ? route.continue() : route.abort()))
  const page = context.pages()[0] ?? (await context.newPage())
  await loadMermaid(page)

  return {
    renderMermaid: (code, theme = 'default') => page.evaluate(renderInPage, { code, theme }),
    async screenshotMarkdown(markdown, { theme, path, width = 900 }) {
      const { marked } = await import('marked')
      const css = require.resolve(`../../vendor/github-markdown-${theme}.css`)
      const shot = await context.newPage()
      try {
        await shot.setViewportSize({ width: width + 64, height: 600 })
        const html = await marked.parse(markdown, { gfm: true, async: true })
        const background = theme === 'dark' ? '#0d1117' : '#ffffff'
        await shot.setContent(`<!doctype html><html><head><meta charset="utf-8"><style>body{margin:0;padding:32px;background:${background}} .markdown-body{box-sizing:border-box;max-width:${width}px;font-family:-apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif} .markdown-body svg{max-width:100%;height:auto}</style></head><body><article class="markdown-body"></article></body></html>`)
        await shot.addStyleTag({ path: css })
        await shot.evaluate((body) => {
          ;(document.querySelector('article') as HTMLElement).innerHTML = body
        }, html)
        await shot.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') })
        const errors = await shot.evaluate(async (mermaidTheme) => {
          const found: string[] = []
          const blocks = [...document.querySelectorAll('pre > code.language-mermaid')]
          let n = 0
          for (const block of blocks) {
            const pre = block.parentElement as HTMLElement
            try {
              const m = (window as unknown as { mermaid: { initialize(c: unknown): void; render(id: string, text: string): Promise<{ svg: string }> } }).mermaid
              m.initialize({ startOnLoad: false, securityLevel: 'strict', theme: mermaidTheme })
              const { svg } = await m.render(`shot${n++}`, block.textContent ?? '')
              const holder = document.createElement('div')
              holder.innerHTML = svg
              pre.replaceWith(holder)
            } catch (error) {
              found.push(String(error))
            }
          }
          return found
        }, theme === 'dark' ? 'dark' : 'default')
        await shot.screenshot({ path, fullPage: true })
        return errors
      } finally {
        await shot.close()
      }
    },
    close: () => browser.close(),
  }
}

async function loadMermaid(page: Page): Promise<void> {
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body></body></html>')
  await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') })
}

// Runs in the page: parse (throws on any syntax error), then render, then measure.
async function renderInPage({ code, theme }: { code: string; theme: string }): Promise<MermaidRender> {
  const m = (window as unknown as { mermaid: { initialize(c: unknown): void; parse(t: string): Promise<unknown>; render(id: string, text: string): Promise<{ svg: string }> } }).mermaid
  m.initialize({ startOnLoad: false, securityLevel: 'strict', theme })
  const id = `d${Math.random().toString(36).slice(2)}`
  try {
    await m.parse(code)
    const { svg } = await m.render(id, code)
    const holder = document.createElement('div')
    holder.innerHTML = svg
    document.body.append(holder)
    const element = holder.querySelector('svg') as SVGSVGElement
    const box = element.viewBox.baseVal
    const texts = [...element.querySelectorAll('text, foreignObject')]
      .map((node) => (node.textContent ?? '').trim())
      .filter((text) => text !== '')
    const shapeOf = (group: Element): Element | null => group.querySelector(':scope > rect, :scope > polygon, :scope > path, :scope > circle, :scope > g > rect, :scope > g > polygon, :scope > g > path')
    const textColour = (group: Element): string => {
      const label = group.querySelector('.nodeLabel p, .nodeLabel, span, text') as Element | null
      if (label === null) return ''
      const style = getComputedStyle(label)
      return label.tagName.toLowerCase() === 'text' ? style.fill : style.color
    }
    const painted: PaintedElement[] = []
    for (const group of element.querySelectorAll('g.node, g.cluster')) {
      const shape = shapeOf(group)
      if (shape === null) continue
      const style = getComputedStyle(shape)
      painted.push({ kind: group.classList.contains('cluster') ? 'cluster' : 'node', label: (group.textContent ?? '').trim(), fill: style.fill, stroke: style.stroke, text: textColour(group) })
    }
    for (const path of element.querySelectorAll('path.flowchart-link')) painted.push({ kind: 'edge', label: path.id, fill: '', stroke: getComputedStyle(path).stroke, text: '' })
    holder.remove()
    return { svg, width: box?.width ?? 0, height: box?.height ?? 0, texts, painted }
  } catch (error) {
    document.getElementById(`d${id}`)?.remove()
    return { error: error instanceof Error ? error.message : String(error), width: 0, height: 0, texts: [], painted: [] }
  }
}
