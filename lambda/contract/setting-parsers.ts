/** The parsers of the settings table (settings.ts): each takes a context or environment value. */

import { APP_BUNDLE_IDENTIFIER_PATTERN, UUID_PATTERN } from './limits';
import type { EventPatternSetting } from './settings';

/** Thrown by a parser: what is wrong, without the setting's name (the caller adds it). */
export class Problem extends Error {}

/** The top-level fields an EventBridge pattern may match on. */
const EVENT_PATTERN_FIELDS = [
  'source',
  'detail-type',
  'detail',
  'account',
  'region',
  'resources',
  'id',
  'time',
  'version',
] as const;

export const integer = (min: number, max: number) => (raw: unknown) => {
  const parsed = typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : raw;
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new Problem(`must be an integer between ${min} and ${max}`);
  }
  return parsed;
};

export const boolean = (raw: unknown): boolean => {
  if (raw === true || raw === 'true') return true;
  if (raw === false || raw === 'false') return false;
  throw new Problem('must be true or false');
};

export const oneOf =
  <T extends string>(...allowed: T[]) =>
  (raw: unknown): T => {
    if (typeof raw !== 'string' || !(allowed as string[]).includes(raw)) {
      throw new Problem(`must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
    }
    return raw as T;
  };

export const jsonObject = (raw: unknown): Record<string, unknown> => {
  let parsed = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Problem('must be a JSON object');
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Problem('must be a JSON object');
  }
  return parsed as Record<string, unknown>;
};

const APP_BUNDLE_ARN = /^arn:aws[a-z-]*:appfabric:[a-z0-9-]+:\d{12}:appbundle\/[a-f0-9-]{36}$/;

export const appBundle = (raw: unknown): string => {
  if (
    typeof raw !== 'string' ||
    raw.length > 1011 ||
    !APP_BUNDLE_IDENTIFIER_PATTERN.test(raw) ||
    !(UUID_PATTERN.test(raw) || APP_BUNDLE_ARN.test(raw))
  ) {
    throw new Problem(
      'must be an app bundle ARN (arn:<partition>:appfabric:<region>:<account>:appbundle/<id>) or a lower-case UUID',
    );
  }
  return raw;
};

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+ ){5}\S+\)$/;

export const schedule = (raw: unknown): string => {
  const rate = typeof raw === 'string' ? RATE.exec(raw) : null;
  const validRate =
    rate !== null && Number(rate[1]) >= 1 && (Number(rate[1]) === 1) === !rate[2].endsWith('s');
  if (typeof raw !== 'string' || !(validRate || CRON.test(raw))) {
    throw new Problem(
      'must be an EventBridge schedule expression: "rate(<n> minute[s]|hour[s]|day[s])" (singular unit for 1) ' +
        'or "cron(<6 fields>)"',
    );
  }
  return raw;
};

export const eventPattern = (raw: unknown): EventPatternSetting => {
  const pattern = jsonObject(raw);
  const keys = Object.keys(pattern);
  if (keys.length === 0) throw new Problem('must match on at least one field');
  for (const key of keys) {
    if (!(EVENT_PATTERN_FIELDS as readonly string[]).includes(key)) {
      throw new Problem(`has an unknown field (allowed: ${EVENT_PATTERN_FIELDS.join(', ')})`);
    }
    const field = pattern[key];
    const ok =
      key === 'detail'
        ? typeof field === 'object' && field !== null && !Array.isArray(field)
        : Array.isArray(field) && field.length > 0;
    if (!ok) {
      throw new Problem(
        key === 'detail' ? 'field "detail" must be an object' : `field "${key}" must be a non-empty array`,
      );
    }
  }
  return pattern as EventPatternSetting;
};

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export const topicArn = (raw: unknown): string => {
  if (typeof raw !== 'string' || !TOPIC_ARN.test(raw)) throw new Problem('must be an SNS topic ARN');
  return raw;
};
