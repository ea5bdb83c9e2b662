import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUpgrade, planInputSet, type UpgradePlan, upgradeSteps } from '../app/adopt/upgrade-plan';
import { ConfigFileError } from '../app/config/config-file';
import { ValidationFailedError } from '../core/problems/finding';
import { renderLocation } from '../core/problems/source-location';
import { VersionPolicy } from '../core/version/version-policy';
import { parseCommandOptions } from './command-options';
import { diffOutputs } from './diff';
import { readCommandInput } from './explain';
import { synthConfigFile } from './synth';
import { formatFileProblem, formatLintFinding } from './validate';
import type { Writer } from './writer';

export const PLAN_USAGE =
  'usage: plan --from <X.Y[.Z]> --to <X.Y[.Z]> [--config <file> | [--namespace <ns>] <file or folder>...]\n' +
  '  what an upgrade changes, one minor release at a time: for a declaration (--config, default\n' +
  '  ./observability.yaml when no files are given), the output of each release against the one before,\n' +
  "  in diff's format; for hand-written YAML or a dump, the behaviour changes that hit its objects, with\n" +
  '  their sources, what lint finds anew, and the settings whose effective value changes per workload;\n' +
  '  exit 1 when something changes, 0 when nothing does, 2 on a usage error';

/** `plan`: what an upgrade from one release to another changes for a declaration or for hand-written YAML. */
export async function runPlan(
  argv: readonly string[],
  out: Writer = process.stdout,
  err: Writer = process.stderr,
): Promise<number> {
  const parsed = parseCommandOptions(argv, ['from', 'to', 'config', 'namespace'], PLAN_USAGE, out, err);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const problems: string[] = [];
  for (const option of ['from', 'to'] as const) {
    const given = values[option];
    if (given === undefined) {
      problems.push(`--${option}: missing, expected an Istio release as X.Y or X.Y.Z`);
      continue;
    }
    const policy = VersionPolicy.resolve(given);
    if (!(policy instanceof VersionPolicy))
      problems.push(`--${option}: got ${JSON.stringify(given)}, expected ${policy.expected}`);
  }
  if (problems.length === 0 && !isUpgrade(values.from as string, values.to as string)) {
    problems.push(`--to: got ${JSON.stringify(values.to)}, expected a release after --from ${values.from}`);
  }
  if (values.config !== undefined && positionals.length > 0) {
    problems.push('--config: a declaration or files, not both');
  }
  if (problems.length > 0) {
    err.write(`${problems.join('\n')}\n${PLAN_USAGE}\n`);
    return 2;
  }
  const from = values.from as string;
  const to = values.to as string;
  if (positionals.length === 0) return planDeclaration(values.config ?? 'observability.yaml', from, to, out, err);
  const set = readCommandInput(positionals, values.namespace ?? 'default', err);
  if (!set) return 2;
  if (set.problems.length > 0) {
    for (const p of set.problems) err.write(`${formatFileProblem(p)}\n`);
    return 1;
  }
  const plan = await planInputSet(set, from, to);
  out.write(planText(plan, from, to, `${set.files.length} file(s)`));
  return plan.steps.some((s) => s.changes.length + s.findings.length + s.settings.length > 0) ? 1 : 0;
}

/** The plan of hand-written objects, step by step. */
export function planText(plan: UpgradePlan, from: string, to: string, what: string): string {
  const lines = [`upgrade of ${what} from Istio ${from} to ${to}, one minor at a time`];
  for (const step of plan.steps) {
    lines.push('', `${step.from} -> ${step.to}`);
    if (step.changes.length + step.findings.length + step.settings.length === 0) lines.push('  nothing changes');
    for (const { change, objects } of step.changes) {
      lines.push(`  change at ${change.release}: ${change.says} (${change.source})`);
      for (const o of objects) {
        lines.push(
          `    ${o.location ? `${renderLocation(o.location)}: ` : ''}${o.object}${o.field ? ` ${o.field}` : ''}`,
        );
      }
    }
    for (const finding of step.findings) lines.push(`  new at ${step.to}: ${formatLintFinding(finding)}`);
    for (const s of step.settings) {
      lines.push(`  ${s.workload} ${s.piece}: ${s.before} at ${step.from}, ${s.after} at ${step.to}`);
    }
  }
  if (plan.persisting.length > 0) {
    lines.push('', `already so at ${from}, still so at ${to}:`);
    for (const finding of plan.persisting) lines.push(`  ${formatLintFinding(finding)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The plan of a declaration: it is synthesized for each release of the upgrade, and each output is
 * compared with the one before (diff's format); a release that refuses the declaration says why.
 */
async function planDeclaration(config: string, from: string, to: string, out: Writer, err: Writer): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'istio-observability-plan-'));
  try {
    const releases = upgradeSteps(from, to);
    const outputs = new Map<string, string | { readonly refused: string }>();
    for (const release of releases) {
      const dir = join(work, release);
      try {
        await synthConfigFile(config, dir, dir, release);
        outputs.set(release, dir);
      } catch (error) {
        // The file itself is wrong (not for one release): synth's report, once.
        if (error instanceof ConfigFileError) {
          err.write(`${error.message}\n`);
          return 2;
        }
        if (!(error instanceof ValidationFailedError)) throw error;
        outputs.set(release, { refused: error.message });
      }
    }
    const lines = [`upgrade of ${config} from Istio ${from} to ${to}, one minor at a time`];
    let changed = false;
    const start = outputs.get(from);
    if (typeof start !== 'string') {
      lines.push(
        '',
        `refused at ${from} (the release upgraded from):`,
        ...String(start?.refused)
          .split('\n')
          .map((l) => `  ${l}`),
      );
    }
    for (let i = 1; i < releases.length; i++) {
      const a = releases[i - 1] as string;
      const b = releases[i] as string;
      const before = outputs.get(a);
      const after = outputs.get(b);
      lines.push('', `${a} -> ${b}`);
      if (typeof after !== 'string') {
        changed = true;
        lines.push(
          `  refused at ${b}:`,
          ...String(after?.refused)
            .split('\n')
            .map((l) => `  ${l}`),
        );
        continue;
      }
      if (typeof before !== 'string') {
        changed = true;
        lines.push(`  synthesizes again at ${b} (refused at ${a})`);
        continue;
      }
      const diff = diffOutputs(before, after);
      if (diff.length === 0) lines.push('  the output does not change');
      else {
        changed = true;
        lines.push(...diff.map((l) => `  ${l}`));
      }
    }
    out.write(`${lines.join('\n')}\n`);
    return changed ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
