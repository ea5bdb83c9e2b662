import { describe, expect, it } from 'vitest';
import { FragmentMerger } from '../core/merge/fragment-merger';
import { statement } from '../core/problems/problem';

describe('FragmentMerger', () => {
  it('merges objects deeply and arrays as ordered sets', () => {
    const merger = new FragmentMerger('doc');
    expect(merger.isEmpty).toBe(true);
    expect(merger.add('a', { tracing: { sampling: 10 }, extraStatTags: ['x', 'y'] })).toEqual([]);
    expect(merger.add('b', { tracing: { zipkin: { address: 'z:1' } }, extraStatTags: ['y', 'z'] })).toEqual([]);
    expect(merger.toValue()).toEqual({
      tracing: { sampling: 10, zipkin: { address: 'z:1' } },
      extraStatTags: ['x', 'y', 'z'],
    });
    expect(merger.isEmpty).toBe(false);
  });

  it('accepts the same value from two contributors', () => {
    const merger = new FragmentMerger('doc');
    merger.add('a', { tracing: { sampling: 10 } });
    expect(merger.add('b', { tracing: { sampling: 10 } })).toEqual([]);
  });

  it('refuses a different value, naming both contributors, and merges nothing of the refused fragment', () => {
    const merger = new FragmentMerger('proxy.istio.io/config of Deployment "webapp"');
    merger.add('app/a', { tracing: { sampling: 10 } });
    expect(merger.add('app/b', { tracing: { sampling: 100, zipkin: { address: 'z:1' } } })).toEqual([
      statement(
        undefined,
        'proxy.istio.io/config of Deployment "webapp": tracing.sampling is set to 10 by app/a and to 100 by app/b; set it in one place',
      ),
    ]);
    expect(merger.toValue()).toEqual({ tracing: { sampling: 10 } });
  });

  it('refuses an object where a value is set, and reports every conflict at once', () => {
    const merger = new FragmentMerger('doc');
    merger.add('a', { x: 1, y: { z: 2 } });
    expect(merger.add('b', { x: { nested: true }, y: { z: 3 } })).toEqual([
      statement(undefined, 'doc: x is set to 1 by a and to {"nested":true} by b; set it in one place'),
      statement(undefined, 'doc: y.z is set to 2 by a and to 3 by b; set it in one place'),
    ]);
  });

  it('compares objects at atomic paths whole (a proto oneof is one value)', () => {
    const merger = new FragmentMerger('doc', ['tags.*']);
    merger.add('a', { tags: { team: { literal: { value: 'payments' } } } });
    expect(
      merger.add('b', { tags: { team: { literal: { value: 'payments' } }, other: { header: { name: 'h' } } } }),
    ).toEqual([]);
    expect(merger.add('c', { tags: { team: { header: { name: 'x-team' } } } })).toEqual([
      statement(
        undefined,
        'doc: tags.team is set to {"literal":{"value":"payments"}} by a and to {"header":{"name":"x-team"}} by c; set it in one place',
      ),
    ]);
    expect(merger.toValue()).toEqual({
      tags: { team: { literal: { value: 'payments' } }, other: { header: { name: 'h' } } },
    });
  });

  it('treats equal values with their keys in another order as equal', () => {
    const merger = new FragmentMerger('doc', ['tags.*']);
    merger.add('a', { tags: { team: { header: { name: 'x-team', defaultValue: 'none' } } }, list: [{ a: 1, b: 2 }] });
    expect(
      merger.add('b', { tags: { team: { header: { defaultValue: 'none', name: 'x-team' } } }, list: [{ b: 2, a: 1 }] }),
    ).toEqual([]);
    expect(merger.toValue()).toEqual({
      tags: { team: { header: { name: 'x-team', defaultValue: 'none' } } },
      list: [{ a: 1, b: 2 }],
    });
  });

  it('ignores undefined values', () => {
    const merger = new FragmentMerger('doc');
    merger.add('a', { x: undefined, y: { z: undefined } });
    expect(merger.toValue()).toEqual({ y: {} });
  });

  it('returns copies', () => {
    const merger = new FragmentMerger('doc');
    merger.add('a', { list: ['x'] });
    (merger.toValue().list as string[]).push('mutated');
    expect(merger.toValue()).toEqual({ list: ['x'] });
  });
});
