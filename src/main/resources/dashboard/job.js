// One job's page: its status and steps (a timeline), its log, read and then followed live, cancel and delete with a
// confirmation, and the job's definition as the API answers it (secrets already shown as ****).
import { api, openStream } from './api.js';
import { between, bytes, duration, el, statusBadge, timeElement } from './format.js';
import { navigate, notify } from './app.js';
import { LogView } from './log-view.js';

const FINAL = new Set(['complete', 'error', 'cancelled']);
const LOG_PAGE = 10000; // security.maxLogLines, the largest page Dray answers by default

export function renderJob(main, id) {
  const path = `/jobs/${encodeURIComponent(id)}`;
  let status = null;
  let stopped = false;
  let follow = null;

  const heading = el('h1', {}, 'Job ', el('span', { className: 'id' }, id));
  const summary = el('div', { className: 'job-summary' }, 'Loading…');
  // The summary is drawn again every second while the job runs: only a change of status is read out.
  const announcer = el('p', { className: 'visually-hidden', 'aria-live': 'polite', id: 'job-announcer' });
  const cancel = el('button', { type: 'button', id: 'cancel-job', className: 'danger', disabled: true }, 'Cancel job');
  const remove = el('button', { type: 'button', id: 'delete-job', className: 'danger' }, 'Delete job');
  const steps = el('ol', { className: 'timeline', 'aria-label': 'Steps' });
  const json = el('pre', { className: 'json', tabIndex: 0, id: 'job-json' });

  const log = new LogView();
  const logSearch = el('input', { type: 'search', id: 'log-search', placeholder: 'text in the log', autocomplete: 'off' });
  const matchCount = el('span', { className: 'muted', 'aria-live': 'polite', id: 'log-matches' });
  const wrap = el('input', { type: 'checkbox', id: 'log-wrap' });
  const lineCount = el('span', { className: 'muted', id: 'log-count', 'aria-live': 'off' }, '0 lines');
  const followState = el('span', { className: 'muted', id: 'log-follow' });
  const jumpToEnd = el('button', { type: 'button', id: 'log-end' }, 'Jump to end');
  const download = el('button', { type: 'button', id: 'log-download' }, 'Download');

  main.replaceChildren(
      el('p', {}, el('a', { href: '/ui/' }, '← All jobs')),
      heading,
      el('div', { className: 'actions' }, cancel, remove),
      summary, announcer,
      el('h2', {}, 'Steps'), steps,
      el('h2', {}, 'Log'),
      el('div', { className: 'log-toolbar' },
          el('label', { for: 'log-search' }, 'Search'), logSearch,
          el('button', { type: 'button', onclick: () => log.showMatch(-1), 'aria-label': 'Previous match' }, '↑'),
          el('button', { type: 'button', onclick: () => log.showMatch(1), 'aria-label': 'Next match' }, '↓'),
          matchCount,
          el('label', { className: 'check' }, wrap, ' Wrap lines'),
          jumpToEnd, download, lineCount, followState),
      log.viewport,
      el('details', { className: 'job-json' }, el('summary', {}, 'Job JSON (as submitted, secrets as ****)'), json));

  log.onChange = () => {
    lineCount.textContent = `${log.lines.length.toLocaleString()} lines`;
    matchCount.textContent = log.query ? `${log.matches.length ? log.current + 1 : 0} of ${log.matches.length} matches` : '';
    followState.textContent = status && FINAL.has(status.status) ? 'Job ended' : log.follow ? 'Following' : 'Paused';
  };
  logSearch.addEventListener('input', () => log.search(logSearch.value));
  logSearch.addEventListener('keydown', event => {
    if (event.key === 'Enter') {
      event.preventDefault();
      log.showMatch(event.shiftKey ? -1 : 1);
    }
  });
  wrap.addEventListener('change', () => log.setWrap(wrap.checked));
  jumpToEnd.addEventListener('click', () => log.jumpToEnd());
  download.addEventListener('click', () => {
    const url = URL.createObjectURL(new Blob([log.text()], { type: 'text/plain' }));
    const link = el('a', { href: url, download: `dray-${id}.log` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  cancel.addEventListener('click', async () => {
    if (!await confirmed(`Cancel job ${id}? Its running step is stopped and later steps never run.`, 'Cancel job')) return;
    try {
      const { body } = await api(`${path}/cancel?reason=${encodeURIComponent('from the dashboard')}`, { method: 'POST' });
      show(body);
      notify(`Job ${id} cancelled.`, 'info');
    } catch (e) {
      notify(`Cannot cancel job ${id}: ${e.message}`);
    }
  });
  remove.addEventListener('click', async () => {
    if (!await confirmed(`Delete job ${id}? It is cancelled if it still runs, and its log is gone.`, 'Delete job')) return;
    try {
      await api(path, { method: 'DELETE' });
      navigate('/ui/');
      notify(`Job ${id} deleted.`, 'info');
    } catch (e) {
      notify(`Cannot delete job ${id}: ${e.message}`);
    }
  });

  function show(state) {
    if (status && status.status !== state.status) announcer.textContent = `The job is now ${state.status}.`;
    status = state;
    heading.replaceChildren(state.name ? `${state.name} ` : 'Job ', el('span', { className: 'id' }, id));
    document.title = `${state.name || id} · Dray`;
    const took = between(state.startedAt || state.createdAt, state.finishedAt);
    summary.replaceChildren(el('dl', {},
        el('dt', {}, 'Status'), el('dd', { id: 'job-status' }, statusBadge(state.status)),
        el('dt', {}, 'Steps completed'), el('dd', {}, `${state.stepsCompleted} of ${state.steps ? state.steps.length : '?'}`),
        el('dt', {}, 'Created'), el('dd', {}, timeElement(state.createdAt)),
        el('dt', {}, 'Started'), el('dd', {}, timeElement(state.startedAt)),
        el('dt', {}, 'Finished'), el('dd', {}, timeElement(state.finishedAt)),
        el('dt', {}, 'Duration'), el('dd', {}, state.startedAt ? duration(took) + (state.finishedAt ? '' : ' so far') : '—'),
        state.error ? el('dt', {}, 'Error') : null,
        state.error ? el('dd', { className: 'error-text', id: 'job-error' }, state.error) : null));
    cancel.disabled = FINAL.has(state.status);
    steps.replaceChildren(...(state.steps || []).map(step));
    log.onChange();
  }

  function step(s) {
    const facts = [];
    if (s.exitCode != null) facts.push(`exit code ${s.exitCode}`);
    if (s.startedAt) facts.push(duration(between(s.startedAt, s.finishedAt)) + (s.finishedAt ? '' : ' so far'));
    if (s.attempt > 1) facts.push(`attempt ${s.attempt}`);
    // Dray counts a step's bytes when it ends: while it runs, its log says more than its counts.
    if (s.state !== 'running' && s.state !== 'pending') {
      if (s.stdout) facts.push(`stdout ${bytes(s.stdout.bytes)} (${s.stdout.lines} lines)`);
      if (s.stderr) facts.push(`stderr ${bytes(s.stderr.bytes)} (${s.stderr.lines} lines)`);
      if (s.bytesPassed != null) facts.push(`passed on ${bytes(s.bytesPassed)}`);
    }
    return el('li', { className: `step step-${s.state}`, dataset: { step: s.index, state: s.state } },
        el('div', { className: 'step-head' }, statusBadge(s.state),
            el('strong', {}, `${s.index + 1}. ${s.name || s.source}`),
            s.name ? el('span', { className: 'muted' }, s.source) : null),
        el('div', { className: 'step-facts' }, facts.join(' · ') || 'not begun'),
        s.error ? el('div', { className: 'error-text' }, s.error) : null);
  }

  async function refresh() {
    try {
      const { body } = await api(path);
      if (!stopped) show(body);
    } catch (e) {
      if (!stopped) notify(e.status === 404 ? `Job ${id} does not exist (any more).` : `Cannot read job ${id}: ${e.message}`);
    }
  }

  // Events of this job trigger one read of its status at a time: a burst of step events costs one or two reads.
  let reading = null;
  let again = false;
  function refreshSoon() {
    if (reading) {
      again = true;
      return;
    }
    reading = refresh().finally(() => {
      reading = null;
      if (again) {
        again = false;
        refreshSoon();
      }
    });
  }
  // A stream that comes back resumes after the last event heard, and Dray sends what was missed (or "reset" when that
  // is no longer kept): either way, one read of the job's state brings the page up to date.
  let listened = false;
  let lastEventId = null;
  const events = openStream(() => `/events?job=${encodeURIComponent(id)}`
      + (lastEventId ? `&after=${encodeURIComponent(lastEventId)}` : ''), source => {
    source.addEventListener('open', () => {
      if (listened && !lastEventId) refreshSoon();
      listened = true;
    });
    source.addEventListener('reset', refreshSoon);
    for (const type of ['job.queued', 'job.running', 'job.complete', 'job.error', 'job.cancelled', 'step.running',
      'step.exited', 'step.retrying']) {
      source.addEventListener(type, event => {
        if (event.lastEventId) lastEventId = event.lastEventId;
        refreshSoon();
      });
    }
    source.addEventListener('job.deleted', () => notify(`Job ${id} was deleted.`, 'info'));
  }, e => notify(`Live updates stopped: ${e.message}`));

  // The log: read in pages up to its end, then followed live from there while the job runs.
  let nextIndex = 0;
  let pending = [];
  function flush() {
    if (pending.length) {
      log.append(pending);
      pending = [];
    }
  }
  async function readLog() {
    try {
      for (;;) {
        const { body } = await api(`${path}/log?index=${nextIndex}&limit=${LOG_PAGE}`);
        if (stopped) return;
        log.append(body.lines);
        nextIndex += body.lines.length;
        if (body.next === null) return; // the job has ended and every line is read
        if (body.lines.length < LOG_PAGE) break; // caught up with a job that runs
      }
    } catch (e) {
      if (!stopped && e.status !== 404) notify(`Cannot read the log: ${e.message}`);
      return;
    }
    const flusher = setInterval(flush, 100);
    follow = openStream(() => `${path}/log?follow=true&index=${nextIndex}`, source => {
      source.addEventListener('line', event => {
        const index = Number(event.lastEventId);
        if (index >= nextIndex) { // a reconnect may repeat what was read
          pending.push(event.data);
          nextIndex = index + 1;
        }
      });
      source.addEventListener('end', event => {
        source.close();
        follow.close();
        clearInterval(flusher);
        flush();
        show(JSON.parse(event.data));
      });
    }, e => notify(`The log stopped following: ${e.message}`));
    const stopFollow = follow.close;
    follow.close = () => {
      clearInterval(flusher);
      stopFollow();
    };
  }

  // What was submitted never changes: read once.
  async function readDefinition() {
    try {
      const { body } = await api(`${path}/definition`);
      if (!stopped) json.textContent = JSON.stringify(body, null, 2);
    } catch (e) {
      if (stopped) return;
      json.textContent = `Cannot read the job's definition: ${e.message}`;
      if (e.status !== 404) notify(json.textContent);
    }
  }

  refresh().then(readLog);
  readDefinition();
  // Durations of a job that runs grow between its events.
  const ticker = setInterval(() => {
    if (status && !FINAL.has(status.status)) show(status);
  }, 1000);
  return () => {
    stopped = true;
    clearInterval(ticker);
    events.close();
    if (follow) follow.close();
  };
}

/** The confirmation dialog: resolves true when the user chose the action. */
function confirmed(text, action) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-title').textContent = `${action}?`;
  document.getElementById('confirm-yes').textContent = `Yes, ${action.toLowerCase()}`;
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    document.getElementById('confirm-no').focus();
  });
}
