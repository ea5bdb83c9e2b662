import { execFileSync } from 'node:child_process';

/** Why a folder could not be built, with the exit status a command should end with. */
export interface KustomizeFailure {
  readonly message: string;
  /** 2 when kubectl is missing (a problem of this machine, not of the input), 1 when the folder does not build. */
  readonly status: number;
}

/**
 * The objects `kubectl kustomize <dir>` builds, as YAML; or why not. `option` names the command
 * line option the build serves, for the message when kubectl is missing.
 */
export function kustomizeBuild(dir: string, option = '--kustomize'): string | KustomizeFailure {
  try {
    return execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 30,
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT') {
      return {
        message: `${option}: kubectl is not on PATH (its kustomize builds the folder); install kubectl, or give the files without ${option}`,
        status: 2,
      };
    }
    // kubectl logs through klog: `E1207 02:31:07.84 28448 run.go:72] "command failed" err="…"`.
    const last = (failure.stderr ?? '').trim().split('\n').at(-1) ?? '';
    const reason = /err="(.*)"$/.exec(last)?.[1]?.replace(/\\"/g, '"') ?? (last || failure.message);
    return { message: `${dir}: kustomize build failed: ${reason}`, status: 1 };
  }
}
