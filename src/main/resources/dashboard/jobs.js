// The jobs page: every job kept, with counts per status, a status filter, search by name and pages, kept up to date
// by GET /events without a reload. The list is read once (GET /jobs, 10,000 a request, following its Link header)
// and then changed by the events, so counts, filter, search and paging need no further request.
import { api, openStream } from './api.js';
import { between, duration, el, statusBadge, timeElement } from './format.js';
import { notify } from './app.js';

const STATUSES = ['queued', 'running', 'complete', 'error', 'cancelled'];
const PAGE_SIZE = 50;
const FINAL = new Set(['complete', 'error', 'cancelled']);

export function renderJobs(main) {
  const jobs = new Map(); // id -> {id, name, status, createdAt, finishedAt}
  let newestFirst = []; // ids, the newest first
  const deleted = new Set(); // jobs deleted while the list was read, which the list may still hold
  const params = new URLSearchParams(location.search);
  const view = {
    status: STATUSES.includes(params.get('status')) ? params.get('status') : '',
    search: params.get('q') || '',
    page: Math.max(0, (parseInt(params.get('page'), 10) || 1) - 1),
  };
  let loading = true;
  let scheduled = false;

  const heading = el('h1', {}, 'Jobs');
  const progress = el('p', { className: 'muted progress', 'aria-live': 'polite' }, 'Loading jobs…');
  const filters = el('fieldset', { className: 'filters' }, el('legend', {}, 'Status'));
  const search = el('input', { type: 'search', id: 'job-search', value: view.search, placeholder: 'part of a name',
    autocomplete: 'off' });
  const table = el('table', { className: 'jobs' });
  const pager = el('nav', { className: 'pager', 'aria-label': 'Pages of jobs' });
  main.replaceChildren(heading, progress,
      el('div', { className: 'toolbar' }, filters,
          el('div', { className: 'search' }, el('label', { for: 'job-search' }, 'Search by name'), search)),
      table, pager);

  const radios = new Map();
  for (const status of ['', ...STATUSES]) {
    const id = `filter-${status || 'all'}`;
    const input = el('input', { type: 'radio', name: 'status', id, value: status, checked: view.status === status });
    input.addEventListener('change', () => {
      view.status = status;
      view.page = 0;
      render();
    });
    const count = el('span', { className: 'count', dataset: { count: status || 'all' } }, '0');
    const label = el('label', { for: id, className: status ? `chip status-${status}` : 'chip' },
        status || 'all', ' ', count);
    radios.set(status, count);
    filters.append(input, label);
  }
  search.addEventListener('input', () => {
    view.search = search.value;
    view.page = 0;
    render();
  });

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        render();
      });
    }
  }

  function render() {
    const counts = Object.fromEntries(STATUSES.map(s => [s, 0]));
    for (const job of jobs.values()) counts[job.status] = (counts[job.status] || 0) + 1;
    radios.get('').textContent = jobs.size.toLocaleString();
    for (const s of STATUSES) radios.get(s).textContent = counts[s].toLocaleString();

    const needle = view.search.trim().toLowerCase();
    const shown = newestFirst.map(id => jobs.get(id)).filter(job => job
        && (!view.status || job.status === view.status)
        && (!needle || (job.name || '').toLowerCase().includes(needle)));
    const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
    view.page = Math.min(view.page, pages - 1);
    const rows = shown.slice(view.page * PAGE_SIZE, (view.page + 1) * PAGE_SIZE);

    const head = el('thead', {}, el('tr', {}, ...['Status', 'Name', 'Job', 'Created', 'Finished', 'Duration']
        .map(h => el('th', { scope: 'col' }, h))));
    // Rows are drawn again as events arrive: keep the keyboard on the job it was on.
    const focusedJob = table.contains(document.activeElement)
        ? document.activeElement.closest('tr')?.dataset.job : null;
    const body = el('tbody', {}, ...rows.map(row));
    if (!rows.length) {
      body.append(el('tr', {}, el('td', { colSpan: 6, className: 'empty' },
          loading ? 'Loading…' : jobs.size ? 'No job matches.' : 'No jobs yet. Submit one.')));
    }
    table.replaceChildren(el('caption', { className: 'visually-hidden' }, 'Jobs, the newest first'), head, body);
    if (focusedJob) body.querySelector(`tr[data-job="${CSS.escape(focusedJob)}"] a`)?.focus();

    const go = page => () => {
      view.page = page;
      render();
      table.scrollIntoView({ block: 'start' });
    };
    pager.replaceChildren(
        el('button', { type: 'button', disabled: view.page === 0, onclick: go(0) }, 'First'),
        el('button', { type: 'button', disabled: view.page === 0, onclick: go(view.page - 1) }, 'Previous'),
        el('span', { className: 'page-of' }, `Page ${view.page + 1} of ${pages} · ${shown.length.toLocaleString()} jobs`),
        el('button', { type: 'button', disabled: view.page >= pages - 1, onclick: go(view.page + 1) }, 'Next'),
        el('button', { type: 'button', disabled: view.page >= pages - 1, onclick: go(pages - 1) }, 'Last'));

    const query = new URLSearchParams();
    if (view.status) query.set('status', view.status);
    if (view.search) query.set('q', view.search);
    if (view.page) query.set('page', view.page + 1);
    const wanted = '/ui/' + (query.toString() ? '?' + query : '');
    if (location.pathname + location.search !== wanted) history.replaceState(null, '', wanted);
  }

  function row(job) {
    const link = el('a', { href: `/ui/jobs/${encodeURIComponent(job.id)}` }, job.id);
    const took = between(job.createdAt, FINAL.has(job.status) ? job.finishedAt : null);
    return el('tr', { dataset: { job: job.id, status: job.status } },
        el('td', { dataset: { label: 'Status' } }, statusBadge(job.status)),
        el('td', { dataset: { label: 'Name' }, className: 'name' }, job.name || el('span', { className: 'muted' }, 'no name')),
        el('td', { dataset: { label: 'Job' }, className: 'id' }, link),
        el('td', { dataset: { label: 'Created' } }, timeElement(job.createdAt)),
        el('td', { dataset: { label: 'Finished' } }, timeElement(job.finishedAt)),
        el('td', { dataset: { label: 'Duration' } }, FINAL.has(job.status) ? duration(took) : `${duration(took)} so far`));
  }

  function add(job) {
    if (!jobs.has(job.id)) newestFirst.unshift(job.id);
    jobs.set(job.id, job);
  }

  // A job the events told about: its summary, read once it is known.
  async function learn(id, status) {
    add({ id, name: null, status, createdAt: null, finishedAt: null, fromEvents: true });
    try {
      const { body } = await api(`/jobs/${encodeURIComponent(id)}`);
      const known = jobs.get(id);
      if (known) {
        // An event may have told a later state than the one read (which was read before it happened).
        jobs.set(id, { ...known, name: body.name, createdAt: body.createdAt, finishedAt: body.finishedAt ?? known.finishedAt,
          status: later(known.status, body.status) });
        schedule();
      }
    } catch (e) {
      if (e.status !== 404) notify(`Cannot read job ${id}: ${e.message}`);
    }
  }

  function onEvent(message) {
    if (message.lastEventId) lastEventId = message.lastEventId;
    const event = JSON.parse(message.data);
    if (!event.type.startsWith('job.')) return;
    if (event.type === 'job.deleted') {
      jobs.delete(event.job);
      deleted.add(event.job);
      newestFirst = newestFirst.filter(id => id !== event.job);
    } else if (jobs.has(event.job)) {
      const job = jobs.get(event.job);
      jobs.set(event.job, { ...job, status: event.status, fromEvents: true,
        finishedAt: FINAL.has(event.status) ? event.time : job.finishedAt });
    } else {
      learn(event.job, event.status);
    }
    schedule();
  }

  // A stream that comes back resumes after the last event heard (the browser sends its id when it reconnects, a new
  // stream asks with after=), and Dray sends what was missed; when that is no longer kept it says "reset", and the list
  // is read again. So is it when the stream comes back before any event was heard.
  let listened = false;
  let lastEventId = null;
  const stream = openStream(() => '/events' + (lastEventId ? `?after=${encodeURIComponent(lastEventId)}` : ''), source => {
    source.addEventListener('open', () => {
      if (listened && !lastEventId && !loading) load();
      listened = true;
    });
    source.addEventListener('reset', () => {
      if (!loading) load();
    });
    for (const type of ['job.queued', 'job.running', 'job.complete', 'job.error', 'job.cancelled', 'job.deleted']) {
      source.addEventListener(type, onEvent);
    }
    // Dray's own "event: error": this page fell too far behind; what it missed is read again.
    source.addEventListener('error', event => {
      if (event.data) load();
    });
  }, e => notify(`Live updates stopped: ${e.message}`));

  async function load() {
    loading = true;
    let next = '/jobs?limit=10000';
    const read = [];
    try {
      while (next) {
        const { body, response } = await api(next);
        read.push(...body);
        progress.textContent = `Loading jobs… ${read.length.toLocaleString()} so far`;
        const link = response.headers.get('Link');
        const match = link && link.match(/<([^>]+)>;\s*rel="next"/);
        next = match ? new URL(match[1], location.href).pathname + new URL(match[1], location.href).search : null;
      }
    } catch (e) {
      progress.textContent = '';
      notify(`Cannot list the jobs: ${e.message}`);
      loading = false;
      render();
      return;
    }
    // What the events said meanwhile may be newer than what the list read.
    const fresh = new Map();
    for (let i = read.length - 1; i >= 0; i--) {
      const job = read[i];
      if (deleted.has(job.id)) continue;
      const heard = jobs.get(job.id);
      fresh.set(job.id, heard && heard.fromEvents
          ? { ...job, ...withoutNulls(heard), status: later(heard.status, job.status) } : job);
    }
    for (const [id, job] of jobs) {
      if (job.fromEvents && !fresh.has(id)) fresh.set(id, job);
    }
    jobs.clear();
    for (const [id, job] of fresh) jobs.set(id, job);
    newestFirst = [...jobs.values()].sort((a, b) => (b.createdAt || '9').localeCompare(a.createdAt || '9')).map(j => j.id);
    loading = false;
    progress.textContent = '';
    render();
  }

  render();
  load();
  // The durations of running jobs grow.
  const ticker = setInterval(() => {
    if (!loading && [...jobs.values()].some(job => !FINAL.has(job.status))) schedule();
  }, 5000);
  return () => {
    stream.close();
    clearInterval(ticker);
  };
}

/** Of two states of one job, the one its life reaches last: queued, then running, then one that is final. */
function later(a, b) {
  const rank = status => (FINAL.has(status) ? 2 : status === 'running' ? 1 : 0);
  return rank(b) > rank(a) ? b : a;
}

function withoutNulls(job) {
  return Object.fromEntries(Object.entries(job).filter(([, value]) => value != null));
}
