// The submit page: a JSON editor with an example job, checked as it is typed with the server's rules; the server's
// answer to a bad job is shown by the field it names, and a good one links to the new job.
import { api } from './api.js';
import { el } from './format.js';
import { checkJob, fieldOf, locate } from './job-checks.js';

const EXAMPLE = {
  name: 'count-words',
  steps: [
    {
      name: 'words',
      source: 'dray-example/sh',
      environment: [{ variable: 'SCRIPT', value: 'for i in 1 2 3 4 5; do echo "word $i"; sleep 1; done' }],
    },
    {
      name: 'count',
      source: 'dray-example/sh',
      environment: [{ variable: 'SCRIPT', value: 'wc -l' }],
    },
  ],
};
// What was typed, kept while the user visits other pages; in memory only, as a job may hold secret values.
let draft = null;

export function renderSubmit(main) {
  const editor = el('textarea', { id: 'job-editor', spellcheck: false, rows: 22, autocomplete: 'off',
    'aria-describedby': 'job-help job-problems' });
  editor.value = draft || JSON.stringify(EXAMPLE, null, 2);
  const problems = el('ul', { id: 'job-problems', className: 'problems', 'aria-live': 'polite' });
  const result = el('div', { id: 'submit-result', 'aria-live': 'polite' });
  const send = el('button', { type: 'submit', className: 'primary', id: 'submit-job' }, 'Submit job');
  const reset = el('button', { type: 'button', id: 'reset-example' }, 'Start again from the example');
  const form = el('form', { className: 'submit', noValidate: true },
      el('label', { for: 'job-editor' }, 'Job (JSON)'),
      el('p', { id: 'job-help', className: 'muted' },
          'A job is a list of steps; each step is an image whose stdout feeds the next step. Fields as in the README ',
          '(name, environment, steps[].source, output, timeout, memory, retries…). Secret variables ',
          '("secret": true) are shown as **** in every answer.'),
      el('div', { className: 'editor' }, editor, problems),
      el('div', { className: 'actions' }, send, reset),
      result);
  main.replaceChildren(el('h1', {}, 'Submit a job'), form);

  /** Shows problems, each by its field: the line it is on, and a click selects it in the editor. */
  function show(found, source) {
    problems.replaceChildren(...found.map(({ field, message }) => {
      const where = field ? locate(editor.value, field) : null;
      const line = where ? editor.value.slice(0, where[0]).split('\n').length : null;
      const item = el('li', { className: `problem problem-${source}`, dataset: { field: field || '' } },
          line ? el('button', { type: 'button', className: 'link', onclick: () => select(where) }, `line ${line}`) : null,
          line ? ': ' : null,
          el('span', { className: 'problem-message' }, message));
      return item;
    }));
    editor.setAttribute('aria-invalid', found.length ? 'true' : 'false');
  }

  function select(where) {
    editor.focus();
    editor.setSelectionRange(where[0], where[1]);
  }

  /** The job in the editor, or null after showing why it is not one. */
  function parsed() {
    try {
      return JSON.parse(editor.value);
    } catch (e) {
      show([{ field: null, message: `malformed JSON: ${e.message}` }], 'client');
      return null;
    }
  }

  let timer = null;
  editor.addEventListener('input', () => {
    draft = editor.value;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const job = parsed();
      if (job !== null) show(checkJob(job), 'client');
    }, 300);
  });
  reset.addEventListener('click', () => {
    editor.value = JSON.stringify(EXAMPLE, null, 2);
    draft = null;
    show([], 'client');
    result.replaceChildren();
  });

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearTimeout(timer); // a check still due would hide the server's answer
    result.replaceChildren();
    const job = parsed();
    if (job === null) return;
    const found = checkJob(job);
    show(found, 'client');
    if (found.length) {
      const where = found[0].field && locate(editor.value, found[0].field);
      if (where) select(where);
      return;
    }
    send.disabled = true;
    try {
      const { body } = await api('/jobs', { method: 'POST', body: editor.value,
        headers: { 'Content-Type': 'application/json' } });
      draft = null;
      result.replaceChildren(
          el('p', { className: 'success' }, 'Job ',
              el('a', { href: `/ui/jobs/${encodeURIComponent(body.id)}`, id: 'new-job-link' }, body.id), ' submitted.'),
          el('details', {}, el('summary', {}, 'What Dray stored (secrets as ****)'),
              el('pre', { className: 'json' }, JSON.stringify(body, null, 2))));
      result.querySelector('a').focus();
    } catch (e) {
      const field = fieldOf(e.message);
      show([{ field, message: `${e.status || ''} ${e.message}`.trim() }], 'server');
      const where = field && locate(editor.value, field);
      if (where) select(where);
    } finally {
      send.disabled = false;
    }
  });

  return () => clearTimeout(timer);
}
