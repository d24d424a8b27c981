/**
 * A jurisdiction policy: which provider deployments may see a request. Every field narrows;
 * an absent field allows anything. Facts a policy asks about but a provider does not declare
 * make the provider ineligible (fail closed).
 */
export interface JurisdictionPolicy {
  /** Shown in `route.policy`, `explain()` and audit records; usable in model strings. */
  name: string;
  /** Countries where inference may run. `'EU'` and `'EEA'` expand to their member states; `'EU'` in a list too (`['EU', 'CH']`). */
  hosting?: string[] | 'EU' | 'EEA';
  /** Countries the operator and every parent in its chain must be in. */
  operator?: string[] | 'EU' | 'EEA';
  /** Whether a US entity anywhere in the operator chain is acceptable. @default true */
  allowUsControl?: boolean;
  /** Whether declared US sub-processors are acceptable. @default true */
  allowUsSubprocessors?: boolean;
  /**
   * Provider ids to allow exclusively, or to deny. A denied id that is a built-in preset's own id
   * (`openai`) also denies every deployment built from that preset under another id
   * (`openai({ id: 'openai-prod' })`); an allow list admits exactly the ids it names. createRouter
   * refuses an entry that is not a provider id (kebab-case), which would never match, and one that
   * stands for configured presets without being their id (a factory name: `mistral` for
   * `mistral-ai`, `bedrock` for `bedrock-eu-central-1`), naming the ids to write.
   */
  providers?: { allow?: string[]; deny?: string[] };
  /** Require a zero-retention commitment. @default false */
  zeroRetention?: boolean;
}
