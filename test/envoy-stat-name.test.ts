import { describe, expect, it } from 'vitest';
import { EnvoyStatName } from '../constructs/stats/envoy-stat-name';

describe('EnvoyStatName', () => {
  it("builds the book's outbound cluster prefix", () => {
    expect(EnvoyStatName.outboundCluster({ port: 80, host: 'catalog.istioinaction' })).toBe(
      'cluster.outbound|80||catalog.istioinaction',
    );
  });

  it('includes a subset and a full service name', () => {
    expect(
      EnvoyStatName.outboundCluster({ port: 8080, host: 'catalog.istioinaction.svc.cluster.local', subset: 'v1' }),
    ).toBe('cluster.outbound|8080|v1|catalog.istioinaction.svc.cluster.local');
  });

  it('builds an inbound cluster prefix', () => {
    expect(EnvoyStatName.inboundCluster(8080)).toBe('cluster.inbound|8080||');
  });

  it('refuses values that would break the pipe-separated name, all at once', () => {
    expect(() => EnvoyStatName.outboundCluster({ port: 0, host: 'catalog|x', subset: 'v|1' })).toThrow(
      'EnvoyStatName.outboundCluster: port: got 0, expected an integer from 1 to 65535; ' +
        'host: got "catalog|x", expected a DNS name such as "catalog.istioinaction"; ' +
        'subset: got "v|1", expected a DestinationRule subset name',
    );
    expect(() => EnvoyStatName.inboundCluster(70000)).toThrow(
      'EnvoyStatName.inboundCluster: port: got 70000, expected an integer from 1 to 65535',
    );
  });
});
