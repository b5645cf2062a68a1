// How times, durations, sizes and statuses read on every page.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** "3 minutes ago", from an ISO-8601 time. */
export function ago(iso, now = Date.now()) {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const units = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return relative.format(seconds, 'second');
}

/** A <time> element that shows the absolute time and the relative one, e.g. "Nov 30, 2026, 12:01:03 (3 min ago)". */
export function timeElement(iso) {
  const time = document.createElement('time');
  if (!iso) {
    time.textContent = '—';
    return time;
  }
  time.dateTime = iso;
  time.dataset.relative = 'true';
  time.title = iso;
  renderTime(time);
  return time;
}

function renderTime(time) {
  time.textContent = `${absolute.format(new Date(time.dateTime))} (${ago(time.dateTime)})`;
}

// Relative times age: refresh them all every 15 s.
setInterval(() => document.querySelectorAll('time[data-relative]').forEach(renderTime), 15000);

/** "1 h 2 min", "3.4 s", from milliseconds. */
export function duration(ms) {
  if (ms == null || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

/** The time between two ISO-8601 times, or from the first until now when the second is missing. */
export function between(fromIso, toIso) {
  if (!fromIso) return null;
  return (toIso ? Date.parse(toIso) : Date.now()) - Date.parse(fromIso);
}

export function bytes(n) {
  if (n == null) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A status as text and colour (the colour alone says nothing to a screen reader or a colour-blind reader). */
export function statusBadge(status) {
  const badge = document.createElement('span');
  badge.className = `status status-${status}`;
  badge.textContent = status;
  return badge;
}

/** Builds an element: el('td', {className: 'x'}, 'text', child). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('aria-') || key === 'role' || key === 'for') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child != null) node.append(child);
  }
  return node;
}
