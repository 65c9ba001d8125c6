/**
 * DynamoDB's item size, as the service counts it against the 400 KB limit: attribute names plus values
 * (strings UTF-8, binaries bytes, numbers at most 21 bytes, lists and maps 3 bytes plus 1 per element).
 */
export function dynamoItemSize(item: Record<string, unknown>): number {
  const valueSize = (value: unknown): number => {
    if (value instanceof Uint8Array) return value.length;
    if (typeof value === 'string') return Buffer.byteLength(value);
    if (typeof value === 'number') return 21;
    if (typeof value === 'boolean' || value === null) return 1;
    if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return 3 + entries.reduce((n, [name, v]) => n + 1 + Buffer.byteLength(name) + valueSize(v), 0);
  };
  return Object.entries(item)
    .filter(([, v]) => v !== undefined)
    .reduce((n, [name, value]) => n + Buffer.byteLength(name) + valueSize(value), 0);
}
