import { VersionPolicy } from '../../core/version/version-policy';

/** The newest release with a row in the version policy, e.g. `1.31`. */
export const NEWEST = VersionPolicy.supportedVersions().at(-1) as string;
/** The minor after it: a release with no row, refused. Adding a row leaves the tests that use it as they are. */
export const UNSUPPORTED = `1.${Number(NEWEST.split('.')[1]) + 1}`;
/** How refusals name the supported range. */
export const RANGE = `from "1.17" to "${NEWEST}"`;
