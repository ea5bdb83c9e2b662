import { describe, expect, it } from 'vitest';
import { AttributeGen } from '../constructs/attributes/attribute-gen';
import { celString, requestCondition, requestMatchProblems } from '../constructs/attributes/request-condition';
import { demoFixture } from './support/fixtures';
import { texts } from './support/problem-text';

describe('celString', () => {
  it('escapes the backslash, the double quote and everything outside printable ASCII', () => {
    expect(celString('/items')).toBe('"/items"');
    expect(celString('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(celString("it's")).toBe('"it\'s"');
    expect(celString('line\nbreak\ttab')).toBe('"line\\u000abreak\\u0009tab"');
    expect(celString('ü日😀')).toBe('"\\u00fc\\u65e5\\U0001f600"');
  });
});

describe('requestCondition', () => {
  it('joins the given fields with &&, each compared with an escaped literal', () => {
    expect(requestCondition({ path: '/items', method: 'GET' })).toBe(
      'request.url_path == "/items" && request.method == "GET"',
    );
    expect(requestCondition({ pathPrefix: '/items/' })).toBe('request.url_path.startsWith("/items/")');
    expect(requestCondition({ method: 'DELETE' })).toBe('request.method == "DELETE"');
  });
});

describe('requestMatchProblems', () => {
  it('refuses matches no request can satisfy, one problem per field', () => {
    expect(texts(requestMatchProblems(['m'], {}))).toEqual([
      'm: got {}, expected at least one of path, pathPrefix, method',
    ]);
    expect(texts(requestMatchProblems(['m'], { path: 'items?x=1', pathPrefix: '/a', method: 'G ET' }))).toEqual([
      'm.pathPrefix: got "/a", expected either path or pathPrefix, not both',
      'm.path: got "items?x=1", expected a request path starting with "/", without "?", "#" or control characters (url_path excludes the query)',
      'm.method: got "G ET", expected an HTTP method, e.g. "GET" (an RFC 9110 token)',
    ]);
    expect(texts(requestMatchProblems(['m'], { path: '/a#b' }))).toHaveLength(1);
    expect(texts(requestMatchProblems(['m'], { path: '/a\u0000' }))).toHaveLength(1);
    expect(texts(requestMatchProblems(['m'], { path: '/ü/日本', method: 'PURGE' }))).toEqual([]);
  });

  it('reaches AttributeGen: a rule with both condition and request, or a bad request, is refused naming the rule', () => {
    const { mesh, chart } = demoFixture({ istioVersion: '1.30' });
    const gen = new AttributeGen(chart, 'gen', { mesh, name: 'gen' });
    expect(() =>
      gen.addAttribute('istio_operationId', [
        { value: 'a', condition: "request.method == 'GET'", request: { method: 'GET' } },
        { value: 'b', request: { path: 'items' } },
      ]),
    ).toThrow(
      [
        '[istioinaction/gen] istio_operationId.match[0].request: got {"method":"GET"}, expected either condition or request, not both',
        '[istioinaction/gen] istio_operationId.match[1].request.path: got "items", expected a request path starting with "/", without "?", "#" or control characters (url_path excludes the query)',
      ].join('\n'),
    );
  });
});
