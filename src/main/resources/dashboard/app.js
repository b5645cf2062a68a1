// The dashboard's shell: which page a path shows, links that change pages without a reload, the health strip and
// the notice line. Each page is a module whose render() returns how to stop it (its live streams, its timers).
import { api } from './api.js';
import { el } from './format.js';
import { renderJobs } from './jobs.js';
import { renderJob } from './job.js';
import { renderSubmit } from './submit.js';

const main = document.getElementById('main');
let stopPage = () => {};

function route(path) {
  const job = path.match(/^\/ui\/jobs\/([^/]+)$/);
  if (job) return { name: 'job', render: m => renderJob(m, decodeURIComponent(job[1])) };
  if (path === '/ui/submit') return { name: 'submit', render: renderSubmit };
  if (path === '/ui/' || path === '/ui/index.html') return { name: 'jobs', render: renderJobs };
  return {
    name: 'missing',
    render: m => {
      m.replaceChildren(el('h1', {}, 'No such page'), el('p', {}, el('a', { href: '/ui/' }, 'See the jobs')));
      return () => {};
    },
  };
}

function show(focus) {
  stopPage();
  const page = route(location.pathname);
  document.querySelectorAll('[data-nav]').forEach(link => {
    if (link.dataset.nav === page.name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
  main.replaceChildren();
  stopPage = page.render(main) || (() => {});
  // After a change of page, keyboard and screen-reader users start at its content, as after a page load.
  if (focus) main.focus();
}

/** Goes to a page of the dashboard without reloading. */
export function navigate(path) {
  history.pushState(null, '', path);
  show(true);
}

/** A message for the whole page: an error (role=alert) or news such as "job deleted". */
export function notify(message, kind = 'error') {
  const notice = document.getElementById('notice');
  notice.className = `notice notice-${kind}`;
  notice.replaceChildren(el('span', {}, message),
      el('button', { type: 'button', className: 'link', onclick: () => { notice.hidden = true; } }, 'Dismiss'));
  notice.hidden = false;
}

document.addEventListener('click', event => {
  const link = event.target.closest('a[href]');
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey
      || link.target || link.hasAttribute('download')) {
    return;
  }
  const url = new URL(link.href, location.href);
  if (url.origin === location.origin && url.pathname.startsWith('/ui/')) {
    event.preventDefault();
    document.getElementById('notice').hidden = true;
    navigate(url.pathname + url.search);
  }
});
window.addEventListener('popstate', () => show(true));

const CHECKS = [['redis', 'Redis'], ['docker', 'Docker'], ['engine', 'Engine']];

async function refreshHealth() {
  const strip = document.getElementById('health');
  try {
    const { body } = await api('/health');
    strip.replaceChildren(...CHECKS.filter(([name]) => body.checks[name]).map(([name, label]) => {
      const check = body.checks[name];
      const state = check.healthy ? 'healthy' : 'unhealthy';
      return el('span', { className: `check check-${state}`, title: check.message || '', dataset: { check: name } },
          `${label}: ${state}`);
    }));
  } catch (e) {
    strip.replaceChildren(el('span', { className: 'check check-unhealthy' }, `Health unknown: ${e.message}`));
  }
}

show(false);
refreshHealth();
setInterval(refreshHealth, 10000);
