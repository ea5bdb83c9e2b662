/**
 * A rule a construct applies to its own input when it is given (names, values). It lives beside
 * the construct; the rule catalog lists it with the app rules, for the README and for reports.
 */
export interface InputRule {
  /** Stable kebab-case id. */
  readonly id: string;
  /** One line: what the rule refuses and why. */
  readonly summary: string;
}
