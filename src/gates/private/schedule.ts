/**
 * Synth-time checks for the CodePipeline `DeploymentWindow` rule: its cron expression and its time zone.
 * Not exported from the package.
 */
import { fail } from '../../private/errors';

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Special characters besides `,` `-` `*` `/`. */
  readonly specials: string;
  readonly names?: string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The rule's seven fields, in order (CodePipeline rule reference, DeploymentWindow). */
const FIELDS: CronField[] = [
  { name: 'seconds', min: 0, max: 59, specials: '' },
  { name: 'minutes', min: 0, max: 59, specials: '' },
  { name: 'hours', min: 0, max: 23, specials: '' },
  { name: 'day-of-month', min: 1, max: 31, specials: '?LW' },
  { name: 'month', min: 1, max: 12, specials: '', names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, specials: '?L#', names: DAYS },
  { name: 'year', min: 1970, max: 2199, specials: '' },
];

/**
 * Normalize a deployment window cron expression to the form the rule takes, or throw.
 *
 * Accepted:
 * - `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: the AWS schedule syntax (6 fields, as in
 *   EventBridge); rendered as the rule's 7-field form with seconds `0` (`cron(0 9-17 ? * MON-FRI *)` becomes
 *   `0 0 9-17 ? * MON-FRI *`, the rule reference's own example).
 * - `Seconds Minutes Hours Day-of-month Month Day-of-week [Year]`: the rule's own form, passed through.
 *
 * @param owner who is checking, for the message (e.g. `ApprovalGate 'ProdGate'`)
 */
export function normalizeDeploymentWindowCron(owner: string, cron: string): string {
  const fix = "write it as cron(Minutes Hours Day-of-month Month Day-of-week Year), e.g. 'cron(0 9-16 ? * MON-THU *)'";
  const trimmed = cron.trim();
  let fields: string[];
  const wrapped = /^cron\((.*)\)$/i.exec(trimmed);
  if (wrapped) {
    fields = wrapped[1].trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length !== 6) {
      fail(owner, `deployment window cron '${cron}' has ${fields.length} fields inside cron(...); AWS cron takes exactly 6 (Minutes Hours Day-of-month Month Day-of-week Year): ${fix}.`);
    }
    fields = ['0', ...fields];
  } else if (/^rate\(/i.test(trimmed)) {
    fail(owner, `deployment window '${cron}' is a rate expression; a deployment window needs a cron expression: ${fix}.`);
  } else {
    fields = trimmed.split(/\s+/).filter((f) => f !== '');
    if (fields.length !== 6 && fields.length !== 7) {
      fail(owner, `deployment window cron '${cron}' has ${fields.length} fields; ${fix} (or give the rule's own form: Seconds Minutes Hours Day-of-month Month Day-of-week [Year]).`);
    }
  }

  fields.forEach((value, i) => {
    const problem = fieldProblem(FIELDS[i], value);
    if (problem) {
      fail(owner, `deployment window cron '${cron}': ${FIELDS[i].name} field '${value}' ${problem}; ${fix}.`);
    }
  });

  const dom = fields[3];
  const dow = fields[5];
  if ((dom === '?') === (dow === '?')) {
    fail(owner, `deployment window cron '${cron}' must have '?' in exactly one of day-of-month ('${dom}') and day-of-week ('${dow}'); `
      + "use '?' in the field you do not constrain, e.g. 'cron(0 9-16 ? * MON-THU *)'.");
  }
  return fields.join(' ');
}

function fieldProblem(field: CronField, value: string): string | undefined {
  if (value === '?') {
    return field.specials.includes('?') ? undefined : "uses '?', which only day-of-month and day-of-week allow";
  }
  for (const part of value.split(',')) {
    const problem = partProblem(field, part);
    if (problem) return problem;
  }
  return undefined;
}

function partProblem(field: CronField, part: string): string | undefined {
  if (part === '') return 'has an empty list item';
  const upper = part.toUpperCase();
  if (field.name === 'day-of-month') {
    if (upper === 'L' || upper === 'LW' || /^L-\d{1,2}$/.test(upper)) return undefined;
    const weekday = /^(\d{1,2})W$/.exec(upper);
    if (weekday) return inRange(field, weekday[1]) ? undefined : `is outside ${field.min}-${field.max}`;
  }
  if (field.name === 'day-of-week') {
    if (upper === 'L') return undefined;
    const last = /^([A-Z]{3}|\d)L$/.exec(upper);
    if (last) return inRange(field, last[1]) ? undefined : `is outside ${field.min}-${field.max} (or SUN-SAT)`;
    const nth = /^([A-Z]{3}|\d)#([1-5])$/.exec(upper);
    if (nth) return inRange(field, nth[1]) ? undefined : `is outside ${field.min}-${field.max} (or SUN-SAT)`;
  }
  if (/[?LW#]/.test(upper.replace(/[A-Z]{3}/g, ''))) {
    return 'uses a special character this field does not allow';
  }
  const [base, step, ...extra] = upper.split('/');
  if (extra.length > 0) return "has more than one '/'";
  if (step !== undefined && !/^\d+$/.test(step)) return `has step '${step}', which is not a whole number`;
  if (step !== undefined && Number(step) === 0) return 'has step 0';
  if (base === '*') return undefined;
  const range = base.split('-');
  if (range.length > 2) return 'is not a value, a range or *';
  for (const v of range) {
    if (!inRange(field, v)) {
      return `is outside ${field.min}-${field.max}${field.names ? ` (or ${field.names[0]}-${field.names[field.names.length - 1]})` : ''}`;
    }
  }
  return undefined;
}

function inRange(field: CronField, value: string): boolean {
  if (field.names && field.names.includes(value)) return true;
  if (!/^\d+$/.test(value)) return false;
  const n = Number(value);
  return n >= field.min && n <= field.max;
}

let ianaZones: Set<string> | undefined;

/**
 * Check a deployment window time zone: an IANA name (`Europe/Berlin`), `UTC`, or `UTC+HH:MM` / `UTC-HH:MM`.
 * Abbreviations (`EST`, `CST`) are refused: they are ambiguous (CST is Central, China and Cuba Standard Time).
 */
export function validateTimeZone(owner: string, timeZone: string): void {
  if (timeZone === 'UTC' || /^UTC[+-](0\d|1[0-4]):[0-5]\d$/.test(timeZone)) return;
  ianaZones = ianaZones ?? new Set(Intl.supportedValuesOf('timeZone'));
  if (ianaZones.has(timeZone)) return;
  if (/^[A-Za-z]+(\/[A-Za-z0-9_+-]+)+$/.test(timeZone) && acceptedByIntl(timeZone)) return;
  if (/^[A-Z]{3,5}$/.test(timeZone)) {
    fail(owner, `deployment window time zone '${timeZone}' is an abbreviation, which is ambiguous (CST is Central, China and Cuba Standard Time); `
      + "use an IANA name such as 'America/Chicago' or 'Europe/Berlin', or 'UTC'.");
  }
  fail(owner, `deployment window time zone '${timeZone}' is not a known IANA time zone; use a name such as 'Europe/Berlin' or 'America/New_York', 'UTC', or 'UTC+05:30'.`);
}

function acceptedByIntl(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
