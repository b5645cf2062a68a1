// A job's log on screen: only the lines in view are in the DOM, so 100,000 lines scroll as smoothly as 100. Lines
// have one height (a monospace font), or, when wrapped, as many rows as their length needs at the view's width.
import { el } from './format.js';

const OVERSCAN = 20; // lines drawn above and below the view, so that a fast scroll shows no gap

export class LogView {
  constructor() {
    this.lines = [];
    this.wrap = false;
    this.follow = true;
    this.query = '';
    this.matches = [];
    this.current = -1;
    this.longest = 0;
    this.viewport = el('div', { className: 'log-viewport', tabIndex: 0, role: 'log', 'aria-label': 'Log',
      'aria-live': 'off' });
    this.spacer = el('div', { className: 'log-spacer' });
    this.content = el('div', { className: 'log-content' });
    this.spacer.append(this.content);
    this.viewport.append(this.spacer);
    this.scheduled = false;
    this.onChange = () => {};
    this.viewport.addEventListener('scroll', () => {
      const atEnd = this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - 4;
      // Scrolled up by hand: stop following; back at the end: follow again.
      if (this.follow !== atEnd) {
        this.follow = atEnd;
        this.onChange();
      }
      this.schedule();
    });
    new ResizeObserver(() => {
      this.measure();
      this.schedule();
    }).observe(this.viewport);
  }

  /** The size of a character and of a line in the log's font, and the width a wrapped line has. */
  measure() {
    const probe = el('div', { className: 'log-line' }, el('span', { className: 'log-text' }, 'x'.repeat(100)));
    this.content.append(probe);
    const text = probe.firstChild;
    this.charWidth = text.getBoundingClientRect().width / 100 || 8;
    this.lineHeight = probe.getBoundingClientRect().height || 18;
    probe.remove();
    this.gutter = (String(Math.max(this.lines.length, 9999)).length + 2) * this.charWidth;
    const columns = Math.max(20, Math.floor((this.viewport.clientWidth - this.gutter - 24) / this.charWidth));
    if (columns !== this.columns) {
      this.columns = columns;
      this.tops = null; // wrapped rows change with the width
    }
  }

  append(newLines) {
    const first = this.lines.length;
    const digits = String(first).length;
    for (const line of newLines) {
      this.lines.push(line);
      if (line.length > this.longest) this.longest = line.length;
    }
    if (this.query) {
      for (let i = first; i < this.lines.length; i++) {
        if (this.lines[i].toLowerCase().includes(this.query)) this.matches.push(i);
      }
    }
    this.tops = null;
    if (String(this.lines.length).length !== digits) this.measure(); // line numbers need a wider gutter
    this.schedule();
    this.onChange();
  }

  setWrap(wrap) {
    this.wrap = wrap;
    this.viewport.classList.toggle('wrapped', wrap);
    this.tops = null;
    this.schedule();
  }

  /** Finds the lines that contain the text (any case) and shows the first. */
  search(text) {
    this.query = text.toLowerCase();
    this.matches = [];
    this.current = -1;
    if (this.query) {
      this.lines.forEach((line, i) => {
        if (line.toLowerCase().includes(this.query)) this.matches.push(i);
      });
      if (this.matches.length) this.showMatch(0);
    }
    this.schedule();
    this.onChange();
  }

  showMatch(step) {
    if (!this.matches.length) return;
    this.current = this.current < 0 ? 0 : (this.current + step + this.matches.length) % this.matches.length;
    this.follow = false;
    this.scrollToLine(this.matches[this.current]);
    this.onChange();
  }

  scrollToLine(index) {
    this.layout();
    this.viewport.scrollTop = Math.max(0, this.top(index) - this.viewport.clientHeight / 3);
    this.schedule();
  }

  jumpToEnd() {
    this.follow = true;
    this.viewport.scrollTop = this.viewport.scrollHeight;
    this.schedule();
    this.onChange();
  }

  text() {
    return this.lines.join('\n') + (this.lines.length ? '\n' : '');
  }

  /** Where each line begins when wrapped: a running sum of rows, made again only when lines or width change. */
  layout() {
    if (!this.charWidth) this.measure();
    if (!this.wrap || this.tops) return;
    const tops = new Float64Array(this.lines.length + 1);
    for (let i = 0; i < this.lines.length; i++) {
      tops[i + 1] = tops[i] + Math.max(1, Math.ceil(this.lines[i].length / this.columns)) * this.lineHeight;
    }
    this.tops = tops;
  }

  top(index) {
    return this.wrap ? this.tops[index] : index * this.lineHeight;
  }

  lineAt(offset) {
    if (!this.wrap) return Math.min(this.lines.length, Math.max(0, Math.floor(offset / this.lineHeight)));
    let low = 0;
    let high = this.lines.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.tops[middle + 1] <= offset) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  schedule() {
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => {
        this.scheduled = false;
        this.draw();
      });
    }
  }

  draw() {
    this.layout();
    const total = this.wrap ? this.tops[this.lines.length] : this.lines.length * this.lineHeight;
    this.spacer.style.height = `${total}px`;
    this.spacer.style.width = this.wrap ? '' : `${this.gutter + (this.longest + 2) * this.charWidth}px`;
    this.content.style.setProperty('--gutter', `${this.gutter}px`);
    if (this.follow) this.viewport.scrollTop = total;
    const scrollTop = this.viewport.scrollTop;
    const first = Math.max(0, this.lineAt(scrollTop) - OVERSCAN);
    const last = Math.min(this.lines.length, this.lineAt(scrollTop + this.viewport.clientHeight) + OVERSCAN + 1);
    this.content.style.transform = `translateY(${this.top(first)}px)`;
    const currentLine = this.current >= 0 ? this.matches[this.current] : -1;
    const rows = [];
    for (let i = first; i < last; i++) {
      const line = el('div', { className: i === currentLine ? 'log-line current' : 'log-line', dataset: { index: i } },
          el('span', { className: 'log-number', 'aria-hidden': 'true' }, String(i + 1)),
          this.highlighted(this.lines[i]));
      rows.push(line);
    }
    this.content.replaceChildren(...rows);
  }

  highlighted(line) {
    const text = el('span', { className: 'log-text' });
    if (!this.query) {
      text.textContent = line;
      return text;
    }
    const lower = line.toLowerCase();
    let from = 0;
    for (let at = lower.indexOf(this.query); at >= 0; at = lower.indexOf(this.query, from)) {
      text.append(line.slice(from, at), el('mark', {}, line.slice(at, at + this.query.length)));
      from = at + this.query.length;
    }
    text.append(line.slice(from));
    return text;
  }
}
