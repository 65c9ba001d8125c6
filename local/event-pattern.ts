/**
 * Just enough of EventBridge pattern matching for the local run to refuse an event the deployed rule
 * would ignore: exact values (arrays of allowed values) and nested objects, as the default pattern uses.
 */
/** Undefined when the event matches, else what does not match. */
export function matchesEventPattern(event: unknown, pattern: object, path = ''): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    return `${path || 'event'} must be a JSON object`;
  }
  for (const [key, expected] of Object.entries(pattern)) {
    const actual = (event as Record<string, unknown>)[key];
    const here = path ? `${path}.${key}` : key;
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      const ok = values.some((v) => expected.some((e) => typeof e !== 'object' && e === v));
      if (!ok)
        return `${here} is ${JSON.stringify(actual) ?? 'missing'}, the rule wants one of ${JSON.stringify(expected)}`;
    } else {
      const problem = matchesEventPattern(actual, expected as object, here);
      if (problem) return problem;
    }
  }
  return undefined;
}
