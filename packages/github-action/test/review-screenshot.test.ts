import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { launchMermaidBrowser } from '@planspec/testing'
import { marked } from 'marked'
import { describe, expect, it } from 'vitest'
import { useActionHarness } from './support/action-harness.js'
import { multiTeamChange, multiTeamRename, MULTI_TEAM_EXAMPLE } from './support/multi-team-change.js'

const DOCS = join(dirname(fileURLToPath(import.meta.url)), '../../../docs/images')

const h = useActionHarness({ example: MULTI_TEAM_EXAMPLE })

describe('the review comment of a pull request on examples/multi-team, as GitHub shows it', () => {
  it('renders in the light and dark themes with every diagram drawn, and is saved to docs/images', { timeout: 240_000 }, async () => {
    h.openPullRequest(multiTeamChange())
    const { result } = await h.run()
    expect(result).toMatchObject({ errors: 0, comment: 'created' })
    const [body] = h.comments()
    expect(body).toBeDefined()
    const comment = body as string
    // The change reads as it is: a node added and one rewired, a node renamed, a Gate asking for a third approval.
    expect(comment).toContain('`canary` Canary: 5% of EU merchants for 24h')
    expect(comment).toContain('| `gate/payments/payments-security-review` | ✏️ changed | `user:li-wei` | — | 2 → 3 |')
    const headings = marked.lexer(comment).flatMap((t) => (t.type === 'heading' ? [t.text] : []))
    expect(headings).toEqual(expect.arrayContaining(['PlanSpec review', 'Plans', 'Plan graphs']))
    mkdirSync(DOCS, { recursive: true })
    const browser = await launchMermaidBrowser()
    try {
      // The graph shown open is readable at GitHub's width; the whole graph, collapsed, would not be.
      const blocks = marked.lexer(comment).flatMap((t) => (t.type === 'html' || t.type === 'paragraph' ? [] : t.type === 'code' && t.lang === 'mermaid' ? [t.text] : []))
      expect(blocks).toHaveLength(2)
      const shown = await browser.renderMermaid(blocks[0] as string)
      const whole = await browser.renderMermaid(blocks[1] as string)
      expect(shown.error).toBeUndefined()
      expect(shown.width).toBeLessThanOrEqual(1_100)
      expect(whole.width).toBeGreaterThan(1_100)
      for (const theme of ['light', 'dark'] as const) {
        const path = join(DOCS, `review-comment-multi-team-${theme}.png`)
        expect(await browser.screenshotMarkdown(comment, { theme, path })).toEqual([])
        expect(existsSync(path)).toBe(true)
        expect(statSync(path).size).toBeGreaterThan(50_000)
      }
    } finally {
      await browser.close()
    }
  })

  it('shows a pure rename of the launch plan as a rename: no graph, no run to simulate, no gates to approve', { timeout: 120_000 }, async () => {
    h.openPullRequest(multiTeamRename())
    const { result } = await h.run()
    expect(result).toMatchObject({ errors: 0, comment: 'created' })
    const comment = h.comments()[0] as string
    expect(comment).toContain('- **Changes:** Plan 1 renamed\n')
    expect(comment).toContain('| 🏷️ renamed | `plan/payments/payments-launch-eu` (was `payments-launch-v2`) | same content; references updated in `binding/payments/payments-default`, `binding/payments/payments-prod-overrides`, `execution/payments/payments-launch-eu-001` |')
    expect(comment).not.toContain('Touched executions')
    expect(comment).not.toContain('```mermaid')
    expect(comment).not.toContain('to approve')
  })
})
