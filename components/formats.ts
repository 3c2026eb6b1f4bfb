// Value formats, as pure predicates and parsers, defined once for both layers: the stack config
// (infra/config.ts) refuses a bad value with the file and key, and the components refuse the same value
// in their arguments. Each mirrors what the provider or Kubernetes would reject at deploy time, so the
// mistake surfaces before `pulumi up`. Maintenance-window arithmetic lives beside it, in windows.ts.

/** Retention periods CloudWatch Logs accepts (days). */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const LOG_RETENTION_RULE = `must be a CloudWatch retention period: ${CLOUDWATCH_RETENTION_DAYS.join(", ")}`;
/** Why a number of days is not a CloudWatch Logs retention period ("must ..."), or undefined. */
export function logRetentionProblem(days: unknown): string | undefined {
  return (CLOUDWATCH_RETENTION_DAYS as readonly unknown[]).includes(days) ? undefined : LOG_RETENTION_RULE;
}

export const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** DNS-1123 label, kept to 40 characters so derived object names stay within Kubernetes limits. */
export const APP_NAME = /^[a-z](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
export const APP_NAME_RULE = "must be a lower-case DNS label of at most 40 characters";
export const GCP_REGION = /^[a-z]+-[a-z]+\d+$/;
export const AWS_ACCOUNT_ID = /^\d{12}$/;
export const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** A GCP project number: digits, not starting with 0 (what the Google service agents are named after). */
export const GCP_PROJECT_NUMBER = /^[1-9]\d{5,18}$/;
export const IAM_ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A Google IAM member a person or pipeline signs in as: a user, a group or a service account, by e-mail. */
export const GCP_IAM_MEMBER = /^(user|group|serviceAccount):[^\s@]+@[^\s@]+\.[a-z]{2,}$/;
export const URL_PATH = /^\/[\w\-./~%]*$/;

const IMAGE_NAME = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_REF = new RegExp(
  `^(?:[A-Za-z0-9.-]+(?::\\d+)?/)?${IMAGE_NAME}(?:/${IMAGE_NAME})*` +
    `(?::(?<tag>[\\w][\\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$`,
);

/** Splits an image reference; undefined when it is not one. */
function parseImage(ref: string): { tag?: string; digest?: string } | undefined {
  const match = IMAGE_REF.exec(ref);
  if (!match) return undefined;
  const { tag, digest } = match.groups ?? {};
  return { ...(tag !== undefined && { tag }), ...(digest !== undefined && { digest }) };
}

/** An image is pinned when it names a digest, or a tag other than the moving `latest`. */
export function isPinnedImage(ref: string): boolean {
  const image = parseImage(ref);
  return image !== undefined && (image.digest !== undefined || (image.tag !== undefined && image.tag !== "latest"));
}

export const IMAGE_RULE = "must be an image reference such as ghcr.io/org/app:1.2.3";
/** Why a container image reference may not be deployed ("must ..."), or undefined. */
export function imageProblem(ref: string): string | undefined {
  if (parseImage(ref) === undefined) return IMAGE_RULE;
  if (!isPinnedImage(ref)) return "must pin a tag other than latest, or a digest, so every deploy runs the same image";
  return undefined;
}

const CRON_FIELDS: ReadonlyArray<readonly [number, number]> = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 7], // day of week (0 and 7 are Sunday)
];
const CRON_MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** A schedule Kubernetes CronJobs accept: five numeric fields or one of the @ macros. */
export function isCronSchedule(schedule: string): boolean {
  if (schedule in CRON_MACROS) return true;
  const fields = schedule.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field, i) => cronFieldValid(field, CRON_FIELDS[i]!));
}

/** The values a valid cron field matches (`N/step` runs from N to the field's maximum, as Kubernetes reads it). */
function cronFieldValues(field: string, [min, max]: readonly [number, number]): Set<number> {
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [range = "*", step = "1"] = part.split("/");
    const [from, to] = range === "*" ? [min, max] : range.split("-").map(Number);
    const last = to ?? (part.includes("/") ? max : from!);
    for (let v = from!; v <= last; v += Number(step)) values.add(v);
  }
  return values;
}

const MINUTES_PER_DAY = 24 * 60;
// Eight whole years from a leap year: every calendar pattern of a cron schedule repeats inside it, so
// the gaps seen are all the gaps there are (a 29 February schedule still shows its leap-year gap).
const SCAN_FROM = Date.UTC(2024, 0, 1);
const SCAN_DAYS = 8 * 365 + 2;

/**
 * The longest time in minutes between two consecutive runs of a valid cron schedule (UTC), as the
 * Kubernetes CronJob controller runs it: day of month and day of week both restricted means either
 * matches. Infinity when the schedule runs at most once in eight years. The worst-case data loss of a
 * job on that schedule is this gap.
 */
export function longestCronGapMinutes(schedule: string): number {
  const fields = (CRON_MACROS[schedule] ?? schedule).trim().split(/\s+/);
  const [minutes, hours, days, months, weekdays] = fields.map((field, i) => cronFieldValues(field, CRON_FIELDS[i]!)) as [
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
    Set<number>,
  ];
  if (weekdays.has(7)) weekdays.add(0);
  const daysRestricted = fields[2] !== "*" && fields[2] !== "?";
  const weekdaysRestricted = fields[4] !== "*" && fields[4] !== "?";
  const times = [...hours].flatMap((h) => [...minutes].map((m) => h * 60 + m)).sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < times.length; i++) longest = Math.max(longest, times[i]! - times[i - 1]!);
  let previousDay: number | undefined;
  let runsOnDays = 0;
  for (let day = 0; day < SCAN_DAYS; day++) {
    const date = new Date(SCAN_FROM + day * MINUTES_PER_DAY * 60_000);
    if (!months.has(date.getUTCMonth() + 1)) continue;
    const byDate = days.has(date.getUTCDate());
    const byWeekday = weekdays.has(date.getUTCDay());
    const runs = daysRestricted && weekdaysRestricted ? byDate || byWeekday : byDate && byWeekday;
    if (!runs) continue;
    if (previousDay !== undefined)
      longest = Math.max(longest, (day - previousDay) * MINUTES_PER_DAY + times[0]! - times[times.length - 1]!);
    previousDay = day;
    runsOnDays++;
  }
  return runsOnDays * times.length < 2 ? Infinity : longest;
}

function cronFieldValid(field: string, [min, max]: readonly [number, number]): boolean {
  const inRange = (n: string) => /^\d+$/.test(n) && Number(n) >= min && Number(n) <= max;
  return field.split(",").every((part) => {
    const [range, step, ...rest] = part.split("/");
    if (rest.length > 0 || range === undefined) return false;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return false;
    if (range === "*") return true;
    const [from, to, ...more] = range.split("-");
    if (more.length > 0 || from === undefined || !inRange(from)) return false;
    return to === undefined || (inRange(to) && Number(to) >= Number(from));
  });
}

const CPU = /^(\d+(?:\.\d+)?)(m?)$/;
const MEMORY = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/;
const MEMORY_UNITS: Record<string, number> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Kubernetes CPU quantity in millicores (`250m`, `0.5`, `2`); undefined when malformed or zero. */
export function parseCpu(text: string): number | undefined {
  const m = CPU.exec(text);
  if (!m) return undefined;
  const value = m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
  return value > 0 ? value : undefined;
}

/** Kubernetes memory quantity in bytes (`128Mi`, `1Gi`, `500M`); undefined when malformed or zero. */
export function parseMemory(text: string): number | undefined {
  const m = MEMORY.exec(text);
  if (!m) return undefined;
  const value = Number(m[1]) * MEMORY_UNITS[m[2] ?? ""]!;
  return value > 0 ? value : undefined;
}

/** Levenshtein distance, for "did you mean" hints on misspelt keys. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
