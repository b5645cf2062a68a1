// The checks Dray makes of a submitted job (README, "Bad input"), made in the browser before it is sent, with the
// server's messages: "steps[0].source must not be blank". The server checks again and has the last word (limits,
// allowed images, network modes, callback hosts are its configuration's, and only it knows them).

const IDENTITY_VARIABLES = ['DRAY_JOB_ID', 'DRAY_JOB_NAME', 'DRAY_CURRENT_STEP_INDEX', 'DRAY_CURRENT_STEP_NAME',
  'DRAY_STEP_ATTEMPT'];
const DURATION = /^([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h)?$/;
const MAX_DURATION_MS = 366 * 24 * 3600 * 1000;
const SIZE = /^([0-9]+)([bkmg]?)$/i;
const MIN_MEMORY = 6 * 1024 * 1024;
// The server reads memory and cpuShares as a Java long, and retries as an int.
const MAX_LONG = 2 ** 63 - 1;
const MAX_INT = 2 ** 31 - 1;
const BASE64 = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** @returns {{field: string, message: string}[]} every problem found, each naming its field as the server does */
export function checkJob(job) {
  const problems = [];
  // Most messages read "field message"; the server writes a few as "field: message".
  const problem = (field, message) => problems.push({ field, message: `${field}${message.startsWith(':') ? '' : ' '}${message}` });
  if (job === null || typeof job !== 'object' || Array.isArray(job)) {
    return [{ field: '', message: 'invalid job: expected an object' }];
  }
  optionalString(job, 'name', 'name', problem);
  checkEnvironment(job.environment, 'environment', problem);
  duration(job.timeout, 'timeout', problem);
  duration(job.ttl, 'ttl', problem);
  if (job.input != null && (typeof job.input !== 'string' || !BASE64.test(job.input))) {
    problem('input', 'is not valid base64');
  }
  if (job.callback != null) {
    if (typeof job.callback !== 'object' || Array.isArray(job.callback)) {
      problem('callback', 'has the wrong type');
    } else if (typeof job.callback.url !== 'string' || !job.callback.url.trim()) {
      problem('callback.url', 'must not be blank');
    } else if (!/^https?:\/\/[^/]+/i.test(job.callback.url)) {
      problem('callback.url', 'is not a URL');
    }
  }
  if (job.steps != null && !Array.isArray(job.steps)) {
    problem('steps', 'has the wrong type: expected an array');
  } else if (!job.steps || job.steps.length === 0) {
    problem('steps', 'must not be empty');
  } else {
    job.steps.forEach((step, i) => checkStep(step, `steps[${i}]`, problem));
  }
  return problems;
}

function checkStep(step, at, problem) {
  if (step === null) {
    problem(at, 'must not be null');
    return;
  }
  if (typeof step !== 'object' || Array.isArray(step)) {
    problem(at, 'has the wrong type');
    return;
  }
  if (step.source != null && typeof step.source !== 'string') {
    problem(`${at}.source`, 'has the wrong type: expected a string');
  } else if (!step.source || !step.source.trim()) {
    problem(`${at}.source`, 'must not be blank');
  }
  optionalString(step, 'name', `${at}.name`, problem);
  checkEnvironment(step.environment, `${at}.environment`, problem);
  if (step.output != null && !(typeof step.output === 'string' && /^(stdout|stderr|\/.+)$/s.test(step.output))) {
    problem(`${at}.output`, 'must be "stdout", "stderr" or an absolute file path');
  }
  if (step.refresh != null && typeof step.refresh !== 'boolean') {
    problem(`${at}.refresh`, 'has the wrong type: expected true or false');
  }
  duration(step.timeout, `${at}.timeout`, problem);
  duration(step.retryDelay, `${at}.retryDelay`, problem);
  if (step.memory != null && step.memory !== 0 && step.memory !== '') {
    const size = typeof step.memory === 'number' ? step.memory : memoryBytes(step.memory);
    if (size == null) problem(`${at}.memory`, 'must be a number of bytes');
    else if (!Number.isInteger(size)) problem(`${at}.memory`, 'must be a whole number');
    else if (size > MAX_LONG) problem(`${at}.memory`, 'is too large');
    else if (size < MIN_MEMORY) problem(`${at}.memory`, `must be at least ${MIN_MEMORY} bytes`);
  }
  if (step.cpus != null && !(typeof step.cpus === 'number' && step.cpus >= 0.01)) {
    problem(`${at}.cpus`, 'must be at least 0.01');
  }
  if (step.cpuShares != null && step.cpuShares !== 0) {
    if (typeof step.cpuShares !== 'number') problem(`${at}.cpuShares`, 'has the wrong type');
    else if (step.cpuShares > MAX_LONG) problem(`${at}.cpuShares`, 'is too large');
    else if (!Number.isInteger(step.cpuShares) || step.cpuShares < 2 || step.cpuShares > 262144) {
      problem(`${at}.cpuShares`, 'must be from 2 to 262144');
    }
  }
  for (const list of ['command', 'entrypoint']) {
    if (step[list] == null) continue;
    if (!Array.isArray(step[list])) problem(`${at}.${list}`, 'has the wrong type: expected an array');
    else step[list].forEach((arg, i) => {
      if (arg === null) problem(`${at}.${list}[${i}]`, 'must not be null');
      else if (typeof arg !== 'string') problem(`${at}.${list}[${i}]`, 'has the wrong type: expected a string');
    });
  }
  if (step.workingDir != null && !(typeof step.workingDir === 'string' && step.workingDir.startsWith('/'))) {
    problem(`${at}.workingDir`, 'must be an absolute path');
  }
  if (step.retries != null) {
    if (typeof step.retries !== 'number' || !Number.isInteger(step.retries)) problem(`${at}.retries`, 'must be a whole number');
    else if (step.retries > MAX_INT) problem(`${at}.retries`, 'is too large');
    else if (step.retries < 0) problem(`${at}.retries`, 'must be 0 or more');
  }
}

function checkEnvironment(environment, at, problem) {
  if (environment == null) return;
  if (!Array.isArray(environment)) {
    problem(at, 'has the wrong type');
    return;
  }
  environment.forEach((variable, i) => {
    const here = `${at}[${i}]`;
    if (variable === null) {
      problem(here, 'must not be null');
      return;
    }
    if (typeof variable !== 'object' || Array.isArray(variable)) {
      problem(here, 'has the wrong type');
      return;
    }
    if (variable.variable == null || variable.variable === '') problem(`${here}.variable`, 'must not be empty');
    else if (typeof variable.variable !== 'string') problem(`${here}.variable`, 'has the wrong type');
    else if (/[=\0]/.test(variable.variable)) problem(`${here}.variable`, "must not contain '=' or NUL");
    else if (IDENTITY_VARIABLES.includes(variable.variable)) {
      problem(`${here}.variable`, `: ${variable.variable} is set by Dray`);
    }
    if (variable.value == null) problem(`${here}.value`, 'must not be null');
    else if (typeof variable.value !== 'string') problem(`${here}.value`, 'has the wrong type');
    if (variable.secret != null && typeof variable.secret !== 'boolean') {
      problem(`${here}.secret`, 'has the wrong type: expected true or false');
    }
  });
}

function optionalString(object, key, field, problem) {
  if (object[key] != null && typeof object[key] !== 'string') problem(field, 'has the wrong type');
}

/** A duration as the server reads one: seconds, or a number with ms, s, m or h; 0 is none; at most 366 days. */
function duration(value, field, problem) {
  if (value == null || value === 0) return;
  const invalid = reason => problem(field, `is invalid: ${reason}`);
  if (typeof value === 'number') {
    if (value < 0) invalid(`${javaNumber(value)} is not a duration: write seconds, or e.g. "90s", "15m"`);
    else if (value * 1000 > MAX_DURATION_MS) invalid(`${javaNumber(value)} is longer than 366 days`);
    return;
  }
  if (typeof value !== 'string') {
    problem(field, 'has the wrong type: expected seconds or a duration such as "90s"');
    return;
  }
  const match = DURATION.exec(value.trim());
  if (!match) {
    invalid(`"${value}" is not a duration: write seconds, or e.g. 90s, 15m, 2h`);
    return;
  }
  const millis = Number(match[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[match[2] || 's'];
  if (millis < 1) invalid(`"${value}" is not a positive duration`);
  else if (millis > MAX_DURATION_MS) invalid(`"${value}" is longer than 366 days`);
}

/** A number as the server (Java) writes it back: 1.0E308 for 1e308, -1 for -1. */
function javaNumber(n) {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return String(n);
  if (Math.abs(n) >= 1e-3 && Math.abs(n) < 1e7) return String(n);
  const [mantissa, exponent] = n.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : mantissa + '.0'}E${Number(exponent)}`;
}

function memoryBytes(text) {
  if (typeof text !== 'string') return null;
  const match = text.trim().match(SIZE);
  if (!match) return null;
  const units = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
  return Number(match[1]) * units[match[2].toLowerCase()];
}

/**
 * The field a message of the server names: "steps[0].source must not be blank" names steps[0].source, and
 * "step 2 (fetch): image ... is not allowed here" names steps[1]. Null when it names none of a job's fields.
 */
export function fieldOf(message) {
  const path = /^((?:name|environment|steps|timeout|ttl|input|callback)(?:\[\d+\])?(?:\.[A-Za-z]+(?:\[\d+\])?)*)(?=[ :]|$)/
      .exec(message || '');
  if (path) return path[1];
  const step = /^step (\d+) /.exec(message || '');
  return step ? `steps[${Number(step[1]) - 1}]` : null;
}

/**
 * Where a field is in the JSON text: the start and end of its key and value (or of the value alone, for an element of
 * an array), so that the editor can select it. Null when the text does not have it.
 */
export function locate(text, field) {
  const path = field.match(/[A-Za-z]+|\[\d+\]/g) || [];
  const want = path.map(part => part.startsWith('[') ? Number(part.slice(1, -1)) : part);
  let at = 0;
  const space = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const string = () => {
    const start = at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    at++;
    return JSON.parse(text.slice(start, at));
  };
  // Skips a value; if depth < want.length, looks inside it for the next part of the path.
  const value = depth => {
    space();
    const start = at;
    if (depth === want.length) {
      skip();
      return [start, at];
    }
    if (text[at] === '{') {
      at++;
      for (;;) {
        space();
        if (text[at] === '}') { at++; return null; }
        const keyStart = at;
        const key = string();
        space();
        at++; // the colon
        if (key === want[depth]) {
          const found = value(depth + 1);
          if (found && depth + 1 === want.length) return [keyStart, found[1]];
          return found;
        }
        skip();
        space();
        if (text[at] === ',') at++;
      }
    }
    if (text[at] === '[') {
      at++;
      for (let i = 0; ; i++) {
        space();
        if (text[at] === ']') { at++; return null; }
        if (i === want[depth]) return value(depth + 1);
        skip();
        space();
        if (text[at] === ',') at++;
      }
    }
    skip();
    return null;
  };
  const skip = () => {
    space();
    if (text[at] === '"') {
      string();
    } else if (text[at] === '{' || text[at] === '[') {
      let depth = 0;
      do {
        if (text[at] === '"') {
          string();
          continue;
        }
        if (text[at] === '{' || text[at] === '[') depth++;
        if (text[at] === '}' || text[at] === ']') depth--;
        at++;
      } while (depth > 0 && at < text.length);
    } else {
      while (at < text.length && !/[\s,}\]]/.test(text[at])) at++;
    }
  };
  try {
    return value(0);
  } catch (e) {
    return null;
  }
}
