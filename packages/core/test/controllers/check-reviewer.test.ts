import { describe, expect, it } from 'vitest'
import { checkReviewer, normalizeSubject, type ReviewerPolicy } from '../../src/controllers/check-reviewer.js'

const teams = new Map([['team:Acme/SRE', ['Bob', 'user:carol']]])

describe('normalizeSubject', () => {
  it.each([
    ['Alice', 'user:alice'],
    ['user:Alice', 'user:alice'],
    ['svc:Policy-Bot', 'svc:policy-bot'],
    ['email:A@Example.com', 'email:a@example.com'],
  ])('normalizes %s to %s', (input, expected) => {
    expect(normalizeSubject(input)).toBe(expected)
  })
})

describe('checkReviewer', () => {
  it.each<[string, string, ReviewerPolicy, ReturnType<typeof checkReviewer>]>([
    ['accepts a listed user', 'user:alice', { reviewers: ['user:alice'], teams }, undefined],
    ['accepts a listed user case-insensitively and without prefix', 'ALICE', { reviewers: ['user:Alice'], teams }, undefined],
    ['accepts a member of a listed team', 'user:bob', { reviewers: ['team:Acme/SRE'], teams }, undefined],
    ['accepts a team member given as a subject', 'user:carol', { reviewers: ['team:Acme/SRE'], teams }, undefined],
    ['refuses a non-member of a listed team', 'user:dave', { reviewers: ['team:Acme/SRE'], teams }, 'NotEligible'],
    ['refuses everyone for a team the shell could not look up', 'user:bob', { reviewers: ['team:acme/other'], teams }, 'NotEligible'],
    ['accepts a listed e-mail', 'email:a@example.com', { reviewers: ['email:A@example.com'], teams }, undefined],
    ['accepts a listed service', 'svc:opa', { reviewers: ['svc:opa'], teams }, undefined],
    ['refuses a user whose login only matches a service', 'user:opa', { reviewers: ['svc:opa'], teams }, 'NotEligible'],
    ['refuses a service with write access when reviewers is empty', 'svc:opa', { reviewers: [], writers: ['svc:opa'], teams }, 'NotEligible'],
    ['refuses a service that is only a member of a listed team', 'svc:opa', { reviewers: ['team:Acme/SRE'], teams: new Map([['team:Acme/SRE', ['svc:opa']]]) }, 'NotEligible'],
    ['accepts a writer when reviewers is empty', 'user:erin', { reviewers: [], writers: ['erin'], teams }, undefined],
    ['accepts a writer when reviewers is absent', 'user:erin', { writers: ['user:erin'], teams }, undefined],
    ['refuses a non-writer when reviewers is empty', 'user:frank', { reviewers: [], writers: ['erin'], teams }, 'NotEligible'],
    ['refuses everyone when reviewers is empty and no writers are known', 'user:erin', { teams }, 'NotEligible'],
    ['refuses the change author even when listed', 'user:alice', { reviewers: ['user:alice'], changeAuthor: 'Alice', teams }, 'SelfApproval'],
    ['refuses the change author among writers', 'user:erin', { writers: ['erin'], changeAuthor: 'user:erin', teams }, 'SelfApproval'],
    ['accepts a reviewer who is not the author', 'user:alice', { reviewers: ['user:alice'], changeAuthor: 'bob', teams }, undefined],
  ])('%s', (_name, reviewer, policy, expected) => {
    expect(checkReviewer(reviewer, policy)).toBe(expected)
  })
})
