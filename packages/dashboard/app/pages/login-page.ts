import { h } from '../dom.js'

/**
 * The sign-in form: a bearer token (the same tokens as the API and the CLI; a pasted
 * `Bearer ...` or kubeconfig `token: ...` line works too). Nothing is sent until the user
 * submits; the token is then checked with a SelfSubjectReview and kept in session storage.
 */
export function loginPage(onSubmit: (token: string) => Promise<string | undefined>, message?: string): HTMLElement {
  const error = h('p', { class: 'notice error', role: 'alert', 'data-testid': 'login-error' }, message ?? '')
  if (message === undefined) error.hidden = true
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true }) as HTMLInputElement
  const form = h(
    'form',
    {
      class: 'login card',
      'aria-labelledby': 'login-title',
      onsubmit: (event: Event) => {
        event.preventDefault()
        void onSubmit(input.value).then((problem) => {
          if (problem === undefined) return
          error.textContent = problem
          error.hidden = false
        })
      },
    },
    h('h1', { id: 'login-title' }, 'Sign in to PlanSpec'),
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { class: 'hint' }, 'The bearer token you use with the API and the planspec command (PLANSPEC_TOKEN). It stays in this tab only.'),
    h('button', { type: 'submit' }, 'Sign in'),
    error,
  )
  return h('div', { class: 'page login-page' }, form)
}
