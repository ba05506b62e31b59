import { describe, expect, it } from 'vitest'
import { renderSimulationGantt } from '../../src/simulation/render-simulation-gantt.js'
import { DAY, GANTT_NAMES, ganttReport, HOUR } from '../fixtures/simulation.js'

describe('renderSimulationGantt', () => {
  it('writes one named row per node in start order, milestones for gates, a ★ on the critical path and no crit', () => {
    expect(renderSimulationGantt(ganttReport(3 * HOUR), { names: GANTT_NAMES })).toBe(
      [
        '---',
        'title: "Simulated run of launch-eu (time from start; ★ critical path)"',
        'config:',
        '  gantt:',
        '    leftPadding: 272',
        '---',
        'gantt',
        '  dateFormat YYYY-MM-DD HH:mm:ss',
        '  axisFormat +%H:%M',
        '  tickInterval 15minute',
        '  todayMarker off',
        '  section Build#58; the API#59; #35;1 #37;x#44; #96;y#96;',
        '    Build#58; the API#59; #35;1 #37;x#44; #96;y#96; ★ :n0, 2001-01-01 00:00:00, 2001-01-01 01:00:00',
        '  section Security review',
        '    Security review :n1, 2001-01-01 00:00:00, 2001-01-01 00:36:00',
        '  section Release gate',
        '    Release gate ★ :milestone, n2, 2001-01-01 01:00:00, 2001-01-01 01:00:00',
        '  section Roll out to every EU merchant and p…',
        '    Roll out to every EU merchant and partner bank, region by region ★ :n3, 2001-01-01 01:00:00, 2001-01-01 03:00:00'.replace(', region', '#44; region'),
        '',
      ].join('\n'),
    )
  })

  it('reads the axis as hours, days or years from the start, as the span requires', () => {
    const axis = (span: number): string[] => renderSimulationGantt(ganttReport(span)).split('\n').filter((l) => /^ {2}(axisFormat|tickInterval) /.test(l))
    expect(axis(20 * 60_000)).toEqual(['  axisFormat +%H:%M', '  tickInterval 5minute'])
    expect(axis(3 * DAY)).toEqual(['  axisFormat day %-j, %H:%M', '  tickInterval 6hour'])
    expect(axis(45 * DAY)).toEqual(['  axisFormat day %-j', '  tickInterval 1week'])
    expect(axis(500 * DAY)).toEqual(['  axisFormat year %-y, day %-j', '  tickInterval 13week'])
    expect(axis(5000 * DAY)).toEqual(['  axisFormat year %-y, day %-j', '  tickInterval 13week'])
  })

  it('uses ids without names, gives zero-length tasks a second, and stays valid for an empty run', () => {
    const report = { ...ganttReport(0), nodes: [{ id: 'z', kind: 'Task', layer: 1, startMs: 0, endMs: 0, phase: 'Succeeded' }], criticalPath: { nodes: [], durationMs: 0 } }
    const text = renderSimulationGantt(report, { names: new Map([['z', '  ']]) })
    expect(text).toContain('    leftPadding: 75\n')
    expect(text).toContain('  section z\n    z :n0, 2001-01-01 00:00:00, 2001-01-01 00:00:01\n')
    expect(renderSimulationGantt({ ...report, nodes: [] })).toMatch(/todayMarker off\n$/)
  })
})
