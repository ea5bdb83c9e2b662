import type { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { problem } from '../../core/errors';
import { isDnsSubdomain } from '../../core/names';
import type { FieldPath } from '../../core/problems/field-path';
import { type Problem, statement } from '../../core/problems/problem';

/** Where Jaeger's badger store keeps its files inside the container (the add-on's paths). */
export const BADGER_MOUNT = '/badger';

/**
 * Where Jaeger keeps spans. There is no default: the add-on's badger-on-emptyDir looks persistent
 * (`BADGER_EPHEMERAL=false`) but loses every trace when the pod is deleted or rescheduled, so the
 * choice is the user's, and the ephemeral ones are reported as a caveat.
 */
export abstract class JaegerStorage {
  /** Spans in the process's memory, at most `maxTraces`; lost on every restart. */
  static memory(props: { readonly maxTraces?: number } = {}): JaegerStorage {
    return new MemoryStorage(props.maxTraces ?? 50000);
  }

  /**
   * Badger on an emptyDir, as Istio's add-on and the seeds do: survives container restarts, lost
   * with the pod.
   */
  static badgerOnEmptyDir(props: { readonly sizeLimit?: Size } = {}): JaegerStorage {
    return new BadgerStorage({ kind: 'emptyDir', sizeLimit: props.sizeLimit });
  }

  /** Badger on an existing PersistentVolumeClaim: survives pod restarts. The Deployment is set to `Recreate` so two pods never open the store. */
  static badgerOnClaim(claimName: string): JaegerStorage {
    return new BadgerStorage({ kind: 'claim', claimName });
  }

  /** Problems with the storage's settings. */
  abstract problems(field: FieldPath): Problem[];
  /** The volume to mount at `BADGER_MOUNT`, if any. */
  abstract volume(scope: Construct): kplus.Volume | undefined;
  /** Whether two pods must never run at once (a ReadWriteOnce claim). */
  abstract readonly exclusive: boolean;
  /** What is lost and when, if anything. */
  abstract caveat(): Problem | undefined;
  /** Jaeger v1 all-in-one environment. */
  abstract v1Environment(): Record<string, string>;
  /** Jaeger v2 `jaeger_storage` backend. */
  abstract v2Backend(): Record<string, unknown>;
}

class MemoryStorage extends JaegerStorage {
  readonly exclusive = false;

  constructor(private readonly maxTraces: number) {
    super();
  }

  problems(field: FieldPath): Problem[] {
    return Number.isInteger(this.maxTraces) && this.maxTraces > 0
      ? []
      : [problem([...field, 'maxTraces'], this.maxTraces, 'a positive integer')];
  }

  volume(): undefined {
    return undefined;
  }

  caveat(): Problem {
    return statement(
      ['storage'],
      `memory keeps at most ${this.maxTraces} traces in the Jaeger process, and every restart loses them; use badger on a PersistentVolumeClaim to keep traces`,
    );
  }

  v1Environment(): Record<string, string> {
    return { SPAN_STORAGE_TYPE: 'memory', MEMORY_MAX_TRACES: String(this.maxTraces) };
  }

  v2Backend(): Record<string, unknown> {
    return { memstore: { max_traces: this.maxTraces } };
  }
}

type BadgerVolume = { kind: 'emptyDir'; sizeLimit?: Size } | { kind: 'claim'; claimName: string };

class BadgerStorage extends JaegerStorage {
  constructor(private readonly on: BadgerVolume) {
    super();
  }

  get exclusive(): boolean {
    return this.on.kind === 'claim';
  }

  problems(field: FieldPath): Problem[] {
    if (this.on.kind === 'claim' && !isDnsSubdomain(this.on.claimName)) {
      return [problem([...field, 'claimName'], this.on.claimName, 'a PersistentVolumeClaim name (RFC 1123 subdomain)')];
    }
    return [];
  }

  volume(scope: Construct): kplus.Volume {
    if (this.on.kind === 'claim') {
      const claim = kplus.PersistentVolumeClaim.fromClaimName(scope, 'Claim', this.on.claimName);
      return kplus.Volume.fromPersistentVolumeClaim(scope, 'Data', claim, { name: 'data' });
    }
    return kplus.Volume.fromEmptyDir(scope, 'Data', 'data', this.on.sizeLimit ? { sizeLimit: this.on.sizeLimit } : {});
  }

  caveat(): Problem | undefined {
    return this.on.kind === 'emptyDir'
      ? statement(
          ['storage'],
          'badger on an emptyDir (the add-on and the seeds) keeps traces across container restarts only; deleting or rescheduling the pod loses them; use badger on a PersistentVolumeClaim to keep traces',
        )
      : undefined;
  }

  v1Environment(): Record<string, string> {
    return {
      BADGER_EPHEMERAL: 'false',
      SPAN_STORAGE_TYPE: 'badger',
      BADGER_DIRECTORY_VALUE: `${BADGER_MOUNT}/data`,
      BADGER_DIRECTORY_KEY: `${BADGER_MOUNT}/key`,
    };
  }

  v2Backend(): Record<string, unknown> {
    return {
      badger: { ephemeral: false, directories: { keys: `${BADGER_MOUNT}/key`, values: `${BADGER_MOUNT}/data` } },
    };
  }
}
