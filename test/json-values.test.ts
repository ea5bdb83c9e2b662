import { describe, expect, it } from 'vitest';
import { withoutNullFields } from '../core/json-values';

describe('withoutNullFields', () => {
  it('drops null mapping fields at any depth and keeps null list items', () => {
    const value = { a: null, b: { c: null, d: 1 }, e: [null, { f: null, g: 'x' }], h: [1, 2] };
    expect(withoutNullFields(value)).toEqual({ b: { d: 1 }, e: [null, { g: 'x' }], h: [1, 2] });
    expect(value.a).toBeNull(); // the input is not changed
  });

  it('returns a value without null fields as the same object, and shares untouched parts', () => {
    const clean = { spec: { list: [{ a: 1 }, null], name: 'x' } };
    expect(withoutNullFields(clean)).toBe(clean);
    const mixed = { spec: clean.spec, other: { gone: null } };
    const pruned = withoutNullFields(mixed) as typeof mixed;
    expect(pruned).toEqual({ spec: clean.spec, other: {} });
    expect(pruned.spec).toBe(clean.spec);
  });
});
